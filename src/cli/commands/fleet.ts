import type { Command } from 'commander';
import { checkMatrix } from '../../engine/check.js';
import { InputError, EXIT_PROBLEM } from '../../errors.js';
import { applyCpuModel, qmSetLines } from '../../fleet/apply/index.js';
import { driftSteps, parseSince } from '../../fleet/inventory/drift.js';
import { defaultInventoryPath, openInventory } from '../../fleet/inventory/index.js';
import { PveClient, resolvePveToken } from '../../fleet/pve/index.js';
import { profilesFromPveCluster } from '../../fleet/pve/profiles.js';
import { readClusterTargets } from '../../fleet/ssh/cluster.js';
import { createScanProgress } from '../../fleet/ssh/progress.js';
import { scanHosts } from '../../fleet/ssh/scan.js';
import { parseTarget, parseTargetsFile, type SshTarget } from '../../fleet/ssh/targets.js';
import { parseCpuModels, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readInputText } from '../../sources/files.js';
import { profileFromProbe } from '../../sources/probe-reader.js';
import { readVmInputs } from '../../sources/vm/files.js';
import { collect, output } from '../output.js';
import { table } from '../table.js';
import { summarizeProfiles } from './profile.js';

const inventoryOption = ['--inventory <db>', `SQLite inventory (default ${defaultInventoryPath()})`] as const;

interface ScanOpts {
  targetsFile?: string;
  cluster?: boolean;
  pve?: string;
  token?: string;
  tokenFile?: string;
  fingerprint?: string;
  acceptNewHostKeys?: boolean;
  concurrency: string;
  timeout: string;
  identity?: string;
  knownHosts?: string;
  sshConfig?: string;
  sshOption?: string[];
  user?: string;
  inventory?: string;
  store: boolean;
  json?: boolean;
}

async function scanOverSsh(targets: SshTarget[], opts: ScanOpts): Promise<{ profiles: HostProfile[]; failed: string[] }> {
  const progress = createScanProgress(targets.length);
  const result = await scanHosts(targets, {
    concurrency: Number(opts.concurrency),
    timeoutMs: Number(opts.timeout) * 1000,
    acceptNewHostKeys: !!opts.acceptNewHostKeys,
    identityFile: opts.identity,
    knownHostsFile: opts.knownHosts,
    configFile: opts.sshConfig,
    extraOptions: opts.sshOption,
    user: opts.user,
    onProgress: progress.onProgress,
  });
  progress.stop();
  const profiles = result.ok.map((r) => profileFromProbe(r.probe, r.target.label, r.probe.hostname ?? r.target.host));
  return { profiles, failed: result.failed.map((f) => `${f.target.label}: ${f.reason}`) };
}

async function scanPve(opts: ScanOpts): Promise<{ profiles: HostProfile[]; failed: string[] }> {
  const url = new URL(opts.pve!.includes('://') ? opts.pve! : `https://${opts.pve}`);
  if (url.protocol !== 'https:') throw new InputError('--pve', 'the Proxmox API is only spoken over https');
  const token = await resolvePveToken({ token: opts.token, tokenFile: opts.tokenFile });
  const client = new PveClient({ host: url.hostname, port: url.port ? Number(url.port) : 8006, token, fingerprint: opts.fingerprint });
  const data = await client.fetchCluster();
  const { profiles, problems } = profilesFromPveCluster(data, url.origin);
  return { profiles, failed: problems };
}

export function registerFleet(program: Command): void {
  program
    .command('scan')
    .description('profile hosts over SSH (nothing to install on them) or through the Proxmox API, and store the snapshots')
    .argument('[targets...]', '[user@]host[:port] to reach with the system ssh client')
    .option('--targets-file <file>', 'one target per line (# comments)')
    .option('--cluster', 'on a Proxmox node: every cluster member (/etc/pve/.members or corosync.conf)')
    .option('--pve <url>', 'Proxmox API, e.g. https://pve1:8006 (needs --token/--token-file or $MIGRATABLE_PVE_TOKEN)')
    .option('--token <token>', "API token 'USER@REALM!ID=SECRET' (prefer --token-file: arguments are visible to other users)")
    .option('--token-file <file>', 'file holding the API token')
    .option('--fingerprint <sha256>', "pin the API server's certificate (AA:BB:... as Proxmox shows it) instead of the system CAs")
    .option('--accept-new-host-keys', 'trust SSH host keys seen for the first time (default: strict checking)')
    .option('--concurrency <n>', 'hosts at once', '8')
    .option('--timeout <seconds>', 'per-host limit', '30')
    .option('-i, --identity <file>', 'ssh identity file')
    .option('--known-hosts <file>', 'ssh known_hosts file')
    .option('--ssh-config <file>', 'ssh_config file (ssh -F), or "none" to ignore ~/.ssh/config')
    .option('--ssh-option <Key=Value>', 'extra ssh -o option; repeatable', collect)
    .option('-l, --user <user>', 'login user for targets that name none')
    .option(...inventoryOption)
    .option('--no-store', 'do not write the inventory')
    .option('--json', 'print the profiles as JSON')
    .action(async (args: string[], opts: ScanOpts) => {
      const targets = args.map((a) => parseTarget(a, a));
      if (opts.targetsFile) targets.push(...parseTargetsFile(readInputText(opts.targetsFile), opts.targetsFile));
      if (opts.cluster) targets.push(...readClusterTargets());
      if (!targets.length && !opts.pve) throw new InputError('arguments', 'no targets: give hosts, --targets-file, --cluster or --pve');
      const results = [];
      if (targets.length) results.push(await scanOverSsh(targets, opts));
      if (opts.pve) results.push(await scanPve(opts));
      const profiles = results.flatMap((r) => r.profiles);
      const failed = results.flatMap((r) => r.failed);
      for (const f of failed) process.stderr.write(`migratable: scan failed: ${f}\n`);
      if (opts.store && profiles.length) {
        const inv = openInventory(opts.inventory ?? defaultInventoryPath());
        try {
          inv.add(profiles);
          process.stderr.write(`stored ${profiles.length} snapshot(s) in ${inv.path}\n`);
        } finally {
          inv.close();
        }
      }
      output(opts.json ? JSON.stringify(profiles, null, 2) : summarizeProfiles(profiles));
      if (failed.length) process.exitCode = EXIT_PROBLEM;
    });

  program
    .command('hosts')
    .description('the latest snapshot of every host in the inventory')
    .option(...inventoryOption)
    .option('--json', 'print JSON')
    .action((opts: { inventory?: string; json?: boolean }) => {
      const inv = openInventory(opts.inventory ?? defaultInventoryPath(), { mustExist: true });
      try {
        const hosts = inv.hosts();
        output(
          opts.json
            ? JSON.stringify(hosts, null, 2)
            : table(
                ['host', 'vendor', 'cpu', 'features', 'exact', 'snapshots', 'latest'],
                hosts.map((h) => [h.host, h.vendor, h.modelName ?? '-', String(h.features), h.exact ? 'yes' : 'no', String(h.snapshots), h.latest]),
              ),
        );
      } finally {
        inv.close();
      }
    });

  program
    .command('drift')
    .description('which hosts gained or lost features between snapshots, and which VMs that breaks')
    .option(...inventoryOption)
    .option('--since <when>', 'only changes from this time on: ISO date or 7d / 12h / 30m')
    .option('--vm <input>', 'VM configs to check against the latest snapshots; repeatable', collect)
    .option('--cpu-models <file>', 'Proxmox cpu-models.conf for custom-NAME cpu types')
    .option('--json', 'print JSON')
    .action((opts: { inventory?: string; since?: string; vm?: string[]; cpuModels?: string; json?: boolean }) => {
      const since = opts.since ? parseSince(opts.since) : undefined;
      if (since === null) throw new InputError('--since', `expected an ISO date or 7d/12h/30m, got "${opts.since}"`);
      const inv = openInventory(opts.inventory ?? defaultInventoryPath(), { mustExist: true });
      let steps, latest: HostProfile[];
      try {
        // the snapshot before --since is needed to see the first change after it
        steps = driftSteps(inv.history()).filter((s) => !since || s.to >= since);
        latest = inv.latestProfiles();
      } finally {
        inv.close();
      }
      const custom = new Map<string, CpuModelSection>();
      if (opts.cpuModels) for (const m of parseCpuModels(readInputText(opts.cpuModels), opts.cpuModels).models) custom.set(m.name, m);
      const vms = opts.vm ? readVmInputs(opts.vm, custom) : [];
      const lostHosts = new Set(steps.filter((s) => s.removed.length).map((s) => s.host));
      const broken = vms.length
        ? checkMatrix(vms, latest.filter((h) => lostHosts.has(h.name))).cells.filter((c) => !c.ok)
        : [];
      if (opts.json) output(JSON.stringify({ steps, broken }, null, 2));
      else {
        const lines = steps.length
          ? steps.map((s) => `${s.host}  ${s.from} -> ${s.to}${s.removed.length ? `  lost: ${s.removed.join(' ')}` : ''}${s.added.length ? `  gained: ${s.added.join(' ')}` : ''}`)
          : ['no host changed'];
        if (broken.length) {
          lines.push('', 'VMs that can no longer start there:');
          for (const c of broken) lines.push(`  ${c.vm} on ${c.host}: needs ${c.missing.map((m) => m.feature).join(' ')}`);
        } else if (vms.length) lines.push('', 'every given VM still starts on every changed host');
        output(lines.join('\n'));
      }
      if (broken.length || steps.some((s) => s.removed.length)) process.exitCode = EXIT_PROBLEM;
    });

  program
    .command('apply')
    .description("write a model into Proxmox's cpu-models.conf: only its own section changes, atomically, with a backup")
    .argument('<model>', 'a cpu-models.conf section from `baseline --format pve` (file or - for stdin)')
    .option('--file <path>', 'cpu-models.conf to edit', '/etc/pve/virtual-guest/cpu-models.conf')
    .option('--dry-run', 'print a unified diff and write nothing')
    .option('--vm <vmid>', 'print the `qm set` line for this VM; repeatable', collect)
    .action(async (model: string, opts: { file: string; dryRun?: boolean; vm?: string[] }) => {
      // `baseline --format pve` ends with the VM's "cpu: custom-NAME" line: that one is for the VM config
      const text = readInputText(model).replace(/^cpu: custom-\S+[ \t]*$/gm, '');
      const sections = parseCpuModels(text, model).models;
      if (sections.length !== 1) throw new InputError(model, `expected exactly one cpu-model section, found ${sections.length}`);
      const r = await applyCpuModel({ file: opts.file, section: sections[0], dryRun: !!opts.dryRun });
      if (opts.dryRun) output(r.diff || `${opts.file}: already up to date`);
      else process.stderr.write(`${opts.file}: ${r.action} cpu-model ${sections[0].name}${r.backupFile ? ` (backup: ${r.backupFile})` : ''}\n`);
      if (opts.vm?.length) {
        output(qmSetLines(opts.vm, sections[0].name).join('\n'));
        process.stderr.write('note: qm set replaces the whole cpu: value; re-add any per-VM flags= or phys-bits= these VMs had\n');
      }
    });
}
