/** `migratable scan`: profile hosts over SSH or the Proxmox API and store the snapshots. */
import { InputError, EXIT_PROBLEM } from '../../errors.js';
import { defaultInventoryPath, openInventory } from '../../fleet/inventory/index.js';
import { readClusterTargets } from '../../fleet/ssh/cluster.js';
import { createScanProgress } from '../../fleet/ssh/progress.js';
import { scanHosts } from '../../fleet/ssh/scan.js';
import { profilesFromScan } from '../../fleet/ssh/scan-profiles.js';
import { parseTarget, parseTargetsFile, type SshTarget } from '../../fleet/ssh/targets.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readInputText } from '../../sources/files.js';
import { DEFAULT_FORMAT_CAP } from '../../sources/size-caps.js';
import { notice, output } from '../output.js';
import { connectPve } from '../../proxmox/api/connect.js';
import { profilesFromPveCluster } from '../../proxmox/api/profiles.js';
import { safeLine } from '../../safe-text.js';
import { summarizeProfiles } from './profile.js';

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
  verify?: string;
  section?: string;
  verifyAccel?: string;
  verifyTimeout: string;
  verifyConcurrency: string;
}

async function scanOverSsh(
  targets: SshTarget[],
  opts: ScanOpts,
): Promise<{ profiles: HostProfile[]; failed: string[]; nameByTarget: Map<string, string> }> {
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
  const nameByTarget = new Map(result.ok.map((r, i) => [r.target.label, profiles[i].name]));
  return { profiles, failed: result.failed.map((f) => `${f.target.label}: ${f.reason}`), nameByTarget };
}

async function scanPve(opts: ScanOpts): Promise<{ profiles: HostProfile[]; failed: string[] }> {
  const { client, origin, token } = await connectPve(opts);
  const data = await client.fetchCluster();
  // A server can echo the token anywhere (a node's name, its status): nothing it said is printed or stored unredacted
  const redact = (s: string) => token.redact(s);
  try {
    const { profiles, problems } = profilesFromPveCluster(data, origin);
    return { profiles: JSON.parse(redact(JSON.stringify(profiles))) as HostProfile[], failed: problems.map(redact) };
  } catch (e) {
    if (e instanceof Error) e.message = redact(e.message);
    throw e;
  }
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
  const results = [];
  const ssh = targets.length ? await scanOverSsh(targets, opts) : null;
  if (ssh) results.push(ssh);
  if (opts.pve) results.push(await scanPve(opts));
  const profiles = results.flatMap((r) => r.profiles);
  const failed = results.flatMap((r) => r.failed);
  for (const f of failed) notice(`migratable: scan failed: ${safeLine(f)}`);
  const verified = proof ? await proof.run(targets) : null;
  const rows = verified && proof ? proof.rows(verified, (label) => ssh?.nameByTarget.get(label)) : [];
  if (opts.store && (profiles.length || rows.length)) {
    const inv = openInventory(opts.inventory ?? defaultInventoryPath());
    try {
      if (profiles.length) {
        inv.add(profiles);
        notice(`stored ${profiles.length} snapshot(s) in ${inv.path}`);
      }
      if (rows.length) {
        inv.addVerifications(rows);
        notice(`stored ${rows.length} verification(s) in ${inv.path}`);
      }
    } finally {
      inv.close();
    }
  }
  if (opts.json)
    output(
      JSON.stringify(proof ? { profiles, verifications: rows.map(({ report: _, ...r }) => r) } : profiles, null, 2),
    );
  else output(summarizeProfiles(profiles) + (proof && verified ? `\n\n${proof.summary(verified, rows)}` : ''));
  if (failed.length || rows.some((r) => r.outcome !== 'match')) process.exitCode = EXIT_PROBLEM;
}

/** scan --verify: the model read and the options checked up front; the boots run after the scan. */
async function verifyPlan(opts: ScanOpts, sshTargets: number) {
  if (!sshTargets)
    throw new InputError(
      '--verify',
      'needs SSH targets (hosts, --targets-file or --cluster): the Proxmox API cannot boot a guest',
    );
  const { modelFromInput, parseAccel, parsePhaseTimeouts, parseTimeoutSeconds, sshOptionsOf } =
    await import('./verify.js');
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
