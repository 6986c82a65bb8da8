/** `migratable scan`: profile hosts over SSH or the Proxmox API and store the snapshots. */
import { InputError, WriteError, EXIT_PROBLEM } from '../../errors.js';
import {
  defaultInventoryPath,
  openInventory,
  type FailedScan,
  type ScanEntry,
  type ScanRunInput,
} from '../../fleet/inventory/index.js';
import type { Verification } from '../../fleet/inventory/verifications.js';
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
import { sshOptionsOf, type SshCliOptions } from '../ssh-options.js';

export interface ScanOpts extends SshCliOptions {
  targetsFile?: string;
  cluster?: boolean;
  pve?: string;
  token?: string;
  tokenFile?: string;
  fingerprint?: string;
  concurrency: string;
  timeout: string;
  inventory?: string;
  store: boolean;
  json?: boolean;
  verify?: string;
  section?: string;
  verifyAccel?: string;
  verifyTimeout: string;
  verifyConcurrency: string;
}

interface Scanned {
  entries: ScanEntry[];
  failed: string[];
  /** The failures as the inventory records them (the scan run: src/fleet/inventory/scan-runs.ts) */
  failures: FailedScan[];
  /** Target label -> the name its profile got (scan --verify names its rows like the snapshots) */
  nameByTarget?: Map<string, string>;
}

async function scanOverSsh(targets: SshTarget[], opts: ScanOpts): Promise<Scanned> {
  const progress = createScanProgress(targets.length);
  const msByTarget = new Map<string, number>();
  const result = await scanHosts(targets, {
    concurrency: Number(opts.concurrency),
    timeoutMs: Number(opts.timeout) * 1000,
    ...sshOptionsOf(opts),
    onProgress: (event) => {
      msByTarget.set(event.target.label, event.ms);
      progress.onProgress(event);
    },
  });
  progress.stop();
  // Each profile is tied to the address scanned and the host key ssh verified there
  const entries = profilesFromScan(result.ok).map((profile, i) => {
    const { target, hostKey, ms } = result.ok[i];
    return {
      profile,
      identity: { address: targetLabel(target.host, target.port, null), key: hostKey },
      target: target.label,
      seconds: ms / 1000,
    };
  });
  const nameByTarget = new Map(result.ok.map((r, i) => [r.target.label, entries[i].profile.name]));
  const failures = result.failed.map(({ target, reason }) => {
    const ms = msByTarget.get(target.label);
    const address = targetLabel(target.host, target.port, null);
    return { target: target.label, address, seconds: ms === undefined ? null : ms / 1000, reason };
  });
  return { entries, failed: result.failed.map((f) => `${f.target.label}: ${f.reason}`), failures, nameByTarget };
}

async function scanPve(opts: ScanOpts): Promise<Scanned> {
  const { client, origin } = await connectPve(opts);
  const started = performance.now();
  // The client redacts the token from everything the server says (proxmox/api/http.ts)
  const data = await client.fetchCluster();
  const seconds = (performance.now() - started) / 1000;
  const { profiles, problems } = profilesFromPveCluster(data, origin);
  // A node is the API scanned plus the certificate the cluster lists for it
  const address = new URL(origin).host;
  const entries = profiles.map((profile) => {
    const fp = data.nodes.find((n) => n.node === profile.name)?.sslFingerprint;
    return { profile, identity: { address, key: fp ? `tls ${fp}` : null }, target: origin, seconds };
  });
  // One API call answers for every node: a node without a profile failed, with the problem naming it
  const profiled = new Set(profiles.map((p) => p.name));
  const failures = data.nodes
    .filter((n) => !profiled.has(n.node))
    .map((n) => ({
      target: origin,
      address,
      host: n.node,
      seconds,
      reason: problems.find((p) => p.startsWith(`${n.node}: `))?.slice(n.node.length + 2) ?? 'no profile',
    }));
  return { entries, failed: problems, failures };
}

const TARGETS_INPUT = { expected: 'a targets file ([user@]host[:port] per line)', maxBytes: DEFAULT_FORMAT_CAP };

export async function runScan(args: string[], opts: ScanOpts): Promise<void> {
  const targets = args.map((a) => parseTarget(a, a));
  if (opts.targetsFile)
    targets.push(...parseTargetsFile(readInputText(opts.targetsFile, TARGETS_INPUT), opts.targetsFile));
  if (opts.cluster) targets.push(...readClusterTargets());
  if (!targets.length && !opts.pve)
    throw new InputError('arguments', 'no targets: give hosts, --targets-file, --cluster or --pve');
  // --verify: the model and its options are checked before any host is contacted
  const proof = opts.verify ? await verifyPlan(opts, targets.length) : null;
  const results: Scanned[] = [];
  const startedAt = new Date();
  const ssh = targets.length ? await scanOverSsh(targets, opts) : null;
  if (ssh) results.push(ssh);
  if (opts.pve) results.push(await scanPve(opts));
  const entries = results.flatMap((r) => r.entries);
  const failed = results.flatMap((r) => r.failed);
  for (const f of failed) notice(`migratable: scan failed: ${safeLine(f)}`);
  const verified = proof ? await proof.run(targets) : null;
  let profiles = entries.map((e) => e.profile);
  const stored = new Map<string, string>(); // scanned name -> name in the inventory
  let notStored: WriteError | null = null;
  const run: ScanRunInput = { startedAt, finishedAt: new Date(), failed: results.flatMap((r) => r.failures) };
  if (opts.store && (entries.length || run.failed.length)) {
    const r = store(entries, run, opts);
    if (r instanceof WriteError) notStored = r;
    else {
      profiles = r.stored; // as named in the inventory
      r.stored.forEach((p, i) => stored.set(entries[i].profile.name, p.name));
      for (const w of r.warnings) notice(`migratable: warning: ${safeLine(w)}`);
    }
  }
  // Verification rows carry the node's name as stored (a second machine claiming a name is NAME@ADDRESS)
  const nameOf = (label: string) => {
    const scanned = ssh?.nameByTarget?.get(label);
    return scanned === undefined ? undefined : (stored.get(scanned) ?? scanned);
  };
  const rows = verified && proof ? proof.rows(verified, nameOf) : [];
  if (rows.length && opts.store && !notStored) notStored = storeVerifications(rows, opts);
  // What the scan found is never thrown away: when it could not be stored, it goes to stdout as JSON
  const shown = proof ? { profiles, verifications: rows.map(({ report: _, ...r }) => r) } : profiles;
  if (opts.json || notStored) output(safeJson(shown));
  else output(summarizeProfiles(profiles) + (proof && verified ? `\n\n${proof.summary(verified, rows)}` : ''));
  if (notStored)
    notice(
      `migratable: ${safeLine(notStored.message)}; the ${profiles.length} profile(s)${rows.length ? ` and ${rows.length} verification(s)` : ''} of this scan were not stored ` +
        '(the inventory is unchanged) and are printed above as JSON (baseline and profile read them)',
    );
  if (failed.length || notStored || rows.some((r) => r.outcome !== 'match')) process.exitCode = EXIT_PROBLEM;
}

/** Stores the snapshots in one transaction; a write the system refuses (full disk) is returned, not thrown. */
function store(
  entries: ScanEntry[],
  run: ScanRunInput,
  opts: ScanOpts,
): { stored: HostProfile[]; warnings: string[] } | WriteError {
  try {
    const inv = openInventory(opts.inventory ?? defaultInventoryPath());
    try {
      const r = inv.addScan(entries, undefined, run);
      if (r.stored.length) notice(`stored ${r.stored.length} snapshot(s) in ${inv.path}`);
      return r;
    } finally {
      inv.close();
    }
  } catch (e) {
    if (e instanceof WriteError) return e;
    throw e;
  }
}

/** Stores verify results; like store(), a refused write is returned, not thrown. */
function storeVerifications(rows: Verification[], opts: ScanOpts): WriteError | null {
  try {
    const inv = openInventory(opts.inventory ?? defaultInventoryPath());
    try {
      inv.addVerifications(rows);
      notice(`stored ${rows.length} verification(s) in ${inv.path}`);
      return null;
    } finally {
      inv.close();
    }
  } catch (e) {
    if (e instanceof WriteError) return e;
    throw e;
  }
}

/** scan --verify: the model read and the options checked up front; the boots run after the scan. */
async function verifyPlan(opts: ScanOpts, sshTargets: number) {
  if (!sshTargets)
    throw new InputError(
      '--verify',
      'needs SSH targets (hosts, --targets-file or --cluster): the Proxmox API cannot boot a guest',
    );
  const { modelFromInput, parseAccel, parsePhaseTimeouts, parseTimeoutSeconds } = await import('./verify.js');
  const { verifyNodes, verificationRows } = await import('./verify-nodes.js');
  const { renderVerifications } = await import('./verify-nodes-text.js');
  const model = modelFromInput(opts.verify!, opts.section);
  const concurrency = Number(opts.verifyConcurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError('--verify-concurrency', 'must be a whole number, at least 1');
  const options = {
    cpu: model.cpu,
    modelName: model.name,
    accel: parseAccel(opts.verifyAccel, '--verify-accel'),
    timeoutMs: parseTimeoutSeconds(opts.verifyTimeout, '--verify-timeout'),
    phaseTimeoutMs: parsePhaseTimeouts([]),
    concurrency,
    ...sshOptionsOf(opts),
  };
  return {
    run: (targets: SshTarget[]) => verifyNodes(targets, options),
    rows: (results: Awaited<ReturnType<typeof verifyNodes>>, nameOf: (label: string) => string | undefined) =>
      verificationRows(results, options, (r) => nameOf(r.target.label) ?? r.host),
    summary: renderVerifications,
  };
}
