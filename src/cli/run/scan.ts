/** `migratable scan`: profile hosts over SSH or the Proxmox API and store the snapshots. */
import { InputError, WriteError, EXIT_PROBLEM } from '../../errors.js';
import { defaultInventoryPath, openInventory } from '../../fleet/inventory/index.js';
import { profilesFromPveCluster } from '../../fleet/pve/profiles.js';
import { readClusterTargets } from '../../fleet/ssh/cluster.js';
import { createScanProgress } from '../../fleet/ssh/progress.js';
import { scanHosts } from '../../fleet/ssh/scan.js';
import { profilesFromScan } from '../../fleet/ssh/scan-profiles.js';
import { parseTarget, parseTargetsFile, type SshTarget } from '../../fleet/ssh/targets.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readInputText } from '../../sources/files.js';
import { notice, output } from '../output.js';
import { connectPve } from '../pve-connect.js';
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
    insecureHostKeys: !!opts.insecureHostKeys,
    user: opts.user,
    onProgress: progress.onProgress,
  });
  progress.stop();
  const profiles = profilesFromScan(result.ok);
  return { profiles, failed: result.failed.map((f) => `${f.target.label}: ${f.reason}`) };
}

async function scanPve(opts: ScanOpts): Promise<{ profiles: HostProfile[]; failed: string[] }> {
  const { client, origin } = await connectPve(opts);
  // The client redacts the token from everything the server says (fleet/pve/http.ts)
  const { profiles, problems } = profilesFromPveCluster(await client.fetchCluster(), origin);
  return { profiles, failed: problems };
}

export async function runScan(args: string[], opts: ScanOpts): Promise<void> {
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
  for (const f of failed) notice(`migratable: scan failed: ${safeLine(f)}`);
  const notStored = opts.store && profiles.length ? store(profiles, opts) : null;
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
function store(profiles: HostProfile[], opts: ScanOpts): WriteError | null {
  try {
    const inv = openInventory(opts.inventory ?? defaultInventoryPath());
    try {
      inv.add(profiles);
      notice(`stored ${profiles.length} snapshot(s) in ${inv.path}`);
    } finally {
      inv.close();
    }
    return null;
  } catch (e) {
    if (e instanceof WriteError) return e;
    throw e;
  }
}
