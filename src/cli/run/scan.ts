/** `migratable scan`: profile hosts over SSH or the Proxmox API and store the snapshots. */
import { InputError, WriteError, EXIT_PROBLEM } from '../../errors.js';
import { defaultInventoryPath, openInventory, type ScanEntry } from '../../fleet/inventory/index.js';
import { readClusterTargets } from '../../fleet/ssh/cluster.js';
import { createScanProgress } from '../../fleet/ssh/progress.js';
import { scanHosts } from '../../fleet/ssh/scan.js';
import { profilesFromScan } from '../../fleet/ssh/scan-profiles.js';
import { parseTarget, parseTargetsFile, targetLabel, type SshTarget } from '../../fleet/ssh/targets.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readInputText } from '../../sources/files.js';
import { DEFAULT_FORMAT_CAP } from '../../sources/size-caps.js';
import { notice, output } from '../output.js';
import { connectPve } from '../../proxmox/api/connect.js';
import { profilesFromPveCluster } from '../../proxmox/api/profiles.js';
import { safeLine } from '../../safe-text.js';
import { summarizeProfiles } from './profile.js';
import { safeJson } from '../../safe-json.js';

export interface ScanOpts {
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
  insecureHostKeys?: boolean;
}

interface Scanned {
  entries: ScanEntry[];
  failed: string[];
}

async function scanOverSsh(targets: SshTarget[], opts: ScanOpts): Promise<Scanned> {
  const progress = createScanProgress(targets.length);
  const result = await scanHosts(targets, {
    concurrency: Number(opts.concurrency),
    timeoutMs: Number(opts.timeout) * 1000,
    acceptNewHostKeys: !!opts.acceptNewHostKeys,
    identityFile: opts.identity,
    knownHostsFile: opts.knownHosts,
    configFile: opts.sshConfig,
    extraOptions: opts.sshOption,
    insecureHostKeys: !!opts.insecureHostKeys,
    user: opts.user,
    onProgress: progress.onProgress,
  });
  progress.stop();
  // Each profile is tied to the address scanned and the host key ssh verified there
  const entries = profilesFromScan(result.ok).map((profile, i) => {
    const { target, hostKey } = result.ok[i];
    return { profile, identity: { address: targetLabel(target.host, target.port, null), key: hostKey } };
  });
  return { entries, failed: result.failed.map((f) => `${f.target.label}: ${f.reason}`) };
}

async function scanPve(opts: ScanOpts): Promise<Scanned> {
  const { client, origin } = await connectPve(opts);
  // The client redacts the token from everything the server says (proxmox/api/http.ts)
  const data = await client.fetchCluster();
  const { profiles, problems } = profilesFromPveCluster(data, origin);
  // A node is the API scanned plus the certificate the cluster lists for it
  const address = new URL(origin).host;
  const entries = profiles.map((profile) => {
    const fp = data.nodes.find((n) => n.node === profile.name)?.sslFingerprint;
    return { profile, identity: { address, key: fp ? `tls ${fp}` : null } };
  });
  return { entries, failed: problems };
}

const TARGETS_INPUT = { expected: 'a targets file ([user@]host[:port] per line)', maxBytes: DEFAULT_FORMAT_CAP };

export async function runScan(args: string[], opts: ScanOpts): Promise<void> {
  const targets = args.map((a) => parseTarget(a, a));
  if (opts.targetsFile)
    targets.push(...parseTargetsFile(readInputText(opts.targetsFile, TARGETS_INPUT), opts.targetsFile));
  if (opts.cluster) targets.push(...readClusterTargets());
  if (!targets.length && !opts.pve)
    throw new InputError('arguments', 'no targets: give hosts, --targets-file, --cluster or --pve');
  const results: Scanned[] = [];
  if (targets.length) results.push(await scanOverSsh(targets, opts));
  if (opts.pve) results.push(await scanPve(opts));
  const entries = results.flatMap((r) => r.entries);
  const failed = results.flatMap((r) => r.failed);
  for (const f of failed) notice(`migratable: scan failed: ${safeLine(f)}`);
  let profiles = entries.map((e) => e.profile);
  let notStored: WriteError | null = null;
  if (opts.store && entries.length) {
    const r = store(entries, opts);
    if (r instanceof WriteError) notStored = r;
    else {
      profiles = r.stored; // as named in the inventory
      for (const w of r.warnings) notice(`migratable: warning: ${safeLine(w)}`);
    }
  }
  // What the scan found is never thrown away: when it could not be stored, it goes to stdout as JSON
  output(opts.json || notStored ? safeJson(profiles) : summarizeProfiles(profiles));
  if (notStored)
    notice(
      `migratable: ${safeLine(notStored.message)}; the ${profiles.length} profile(s) of this scan were not stored ` +
        '(the inventory is unchanged) and are printed above as JSON (baseline and profile read them)',
    );
  if (failed.length || notStored) process.exitCode = EXIT_PROBLEM;
}

/** Stores the snapshots in one transaction; a write the system refuses (full disk) is returned, not thrown. */
function store(entries: ScanEntry[], opts: ScanOpts): { stored: HostProfile[]; warnings: string[] } | WriteError {
  try {
    const inv = openInventory(opts.inventory ?? defaultInventoryPath());
    try {
      const r = inv.addScan(entries);
      notice(`stored ${r.stored.length} snapshot(s) in ${inv.path}`);
      return r;
    } finally {
      inv.close();
    }
  } catch (e) {
    if (e instanceof WriteError) return e;
    throw e;
  }
}
