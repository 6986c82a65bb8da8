/** `migratable scan`: profile hosts over SSH or the Proxmox API and store the snapshots. */
import type { Command } from 'commander';
import { InputError, EXIT_PROBLEM } from '../../errors.js';
import { defaultInventoryPath, openInventory } from '../../fleet/inventory/index.js';
import { profilesFromPveCluster } from '../../fleet/pve/profiles.js';
import { readClusterTargets } from '../../fleet/ssh/cluster.js';
import { createScanProgress } from '../../fleet/ssh/progress.js';
import { scanHosts } from '../../fleet/ssh/scan.js';
import { parseTarget, parseTargetsFile, type SshTarget } from '../../fleet/ssh/targets.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readInputText } from '../../sources/files.js';
import { profileFromProbe } from '../../sources/probe-reader.js';
import { collect, output } from '../output.js';
import { connectPve } from '../pve-connect.js';
import { inventoryOption } from './inventory-option.js';
import { summarizeProfiles } from './profile.js';

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

async function scanOverSsh(
  targets: SshTarget[],
  opts: ScanOpts,
): Promise<{ profiles: HostProfile[]; failed: string[] }> {
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
  // Hosts are named by their own hostname; where several targets answer with the same one (clones,
  // one machine on several ports) the target as given tells them apart
  const seen = new Map<string, number>();
  for (const r of result.ok) if (r.probe.hostname) seen.set(r.probe.hostname, (seen.get(r.probe.hostname) ?? 0) + 1);
  const profiles = result.ok.map((r) => {
    const own = r.probe.hostname && seen.get(r.probe.hostname) === 1 ? r.probe.hostname : r.target.label;
    return { ...profileFromProbe(r.probe, r.target.label, own), name: own };
  });
  return { profiles, failed: result.failed.map((f) => `${f.target.label}: ${f.reason}`) };
}

async function scanPve(opts: ScanOpts): Promise<{ profiles: HostProfile[]; failed: string[] }> {
  const { client, origin } = await connectPve(opts);
  const data = await client.fetchCluster();
  const { profiles, problems } = profilesFromPveCluster(data, origin);
  return { profiles, failed: problems };
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(
      'profile hosts over SSH (nothing to install on them) or through the Proxmox API, and store the snapshots',
    )
    .argument('[targets...]', '[user@]host[:port] to reach with the system ssh client')
    .option('--targets-file <file>', 'one target per line (# comments)')
    .option('--cluster', 'on a Proxmox node: every cluster member (/etc/pve/.members or corosync.conf)')
    .option('--pve <url>', 'Proxmox API, e.g. https://pve1:8006 (needs --token/--token-file or $MIGRATABLE_PVE_TOKEN)')
    .option(
      '--token <token>',
      "API token 'USER@REALM!ID=SECRET' (prefer --token-file: arguments are visible to other users)",
    )
    .option('--token-file <file>', 'file holding the API token')
    .option(
      '--fingerprint <sha256>',
      "pin the API server's certificate (AA:BB:... as Proxmox shows it) instead of the system CAs",
    )
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
      if (!targets.length && !opts.pve)
        throw new InputError('arguments', 'no targets: give hosts, --targets-file, --cluster or --pve');
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
}
