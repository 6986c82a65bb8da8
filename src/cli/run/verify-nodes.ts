/**
 * Proof on every node (`scan --verify MODEL`, `verify --ssh HOST`): over SSH with the scan's options and
 * host-key rules, each node runs the boot script (verify/boot-script.ts) on `sh -s`: QEMU there starts
 * the model with enforce and boots the small guest with the node's own kernel. Nothing is installed;
 * the initramfs travels inside the script and its temp directory is removed by the script itself.
 */
import { enforcedCpu, verifyModel, type VerifyReport } from '../../verify/index.js';
import type { PhaseName } from '../../verify/boot-script.js';
import type { ScriptRunner } from '../../verify/boot.js';
import { renderPhases } from '../../verify/report.js';
import type { Accel } from '../../qemu/qmp.js';
import { modelHash, type NodeOutcome, type Verification } from '../../fleet/inventory/verifications.js';
import { mapPool } from '../../fleet/ssh/pool.js';
import { runProcess, type ProcessOutcome } from '../../process/run-process.js';
import { buildSshArgs, type SshOptions } from '../../fleet/ssh/ssh-args.js';
import { sshFailure } from '../../fleet/ssh/ssh-probe.js';
import type { SshTarget } from '../../fleet/ssh/targets.js';
import { safeLine } from '../../safe-text.js';

export interface VerifyNodesOptions extends SshOptions {
  /** The -cpu string to prove */
  cpu: string;
  /** A name for the model (cpu-models.conf section, baseline JSON name), stored with the results */
  modelName?: string | null;
  /** Default: KVM where /dev/kvm is usable on the node, else TCG */
  accel?: Accel;
  /** The whole boot's limit on each node (default 60 s under KVM, 90 s under TCG) */
  timeoutMs?: number;
  phaseTimeoutMs?: Partial<Record<PhaseName, number>>;
  /** Nodes booting at once; default 2 (a TCG boot keeps one core busy for ~10 s) */
  concurrency?: number;
  onNode?: (result: NodeVerification) => void;
}

export interface NodeVerification {
  target: SshTarget;
  /** The node's own hostname when it answered, else the target as given */
  host: string;
  outcome: NodeOutcome;
  /** One line: what it saw, QEMU's own words when it refused, or why it could not run */
  detail: string;
  report: VerifyReport | null;
  ms: number;
}

/** The boot script over ssh; remembers how ssh ended, to tell an unreachable node from a failed boot. */
function sshRunner(target: SshTarget, options: SshOptions, seen: { last: ProcessOutcome | null }): ScriptRunner {
  return async (script, timeoutMs) => {
    const outcome = await runProcess(options.sshBinary ?? 'ssh', buildSshArgs(target, options), {
      input: script,
      timeoutMs,
    });
    seen.last = outcome;
    return outcome;
  };
}

/** The one-line detail of a node's verdict. */
export function nodeDetail(r: VerifyReport): string {
  const phases = r.phases.some((p) => p.startMs !== null) ? ` (${renderPhases(r)})` : '';
  switch (r.outcome) {
    case 'match':
      return `started and the guest saw exactly the promise: ${r.promised.length} features${phases}`;
    case 'mismatch':
      return `started, but the guest saw ${[
        r.comparison?.absent.length ? `no ${r.comparison.absent.join(' ')}` : '',
        r.comparison?.extra.length ? `also ${r.comparison.extra.join(' ')}` : '',
        ...r.identityMismatches,
      ]
        .filter(Boolean)
        .join('; ')}${phases}`;
    case 'refused':
      return `QEMU refused it: ${[...(r.refusal?.lines ?? []), r.refusal?.summary ?? ''].filter(Boolean).join(' | ')}`;
    case 'timeout':
      return `${r.failure ?? 'did not finish'}${phases}${r.advice.length ? `; ${r.advice.at(-1)}` : ''}`;
    default:
      return r.failure ?? 'could not run';
  }
}

/** Verifies the model on one node; never throws for what the node or the network did. */
export async function verifyOnNode(target: SshTarget, options: VerifyNodesOptions): Promise<NodeVerification> {
  const started = Date.now();
  const seen: { last: ProcessOutcome | null } = { last: null };
  let report: VerifyReport;
  try {
    report = await verifyModel({
      cpu: options.cpu,
      accel: options.accel,
      timeoutMs: options.timeoutMs,
      phaseTimeoutMs: options.phaseTimeoutMs,
      remote: { run: sshRunner(target, options, seen) },
    });
  } catch (e) {
    return {
      target,
      host: target.label,
      outcome: 'unrun',
      detail: safeLine((e as Error).message),
      report: null,
      ms: Date.now() - started,
    };
  }
  const ssh = seen.last;
  // ssh's own failure (255), or no ssh at all: the node was never reached
  if (report.outcome === 'unrun' && ssh && (ssh.spawnError || ssh.code === 255 || (ssh.timedOut && !ssh.stdout)))
    return {
      target,
      host: target.label,
      outcome: 'unreachable',
      detail: safeLine(sshFailure(ssh, options.sshBinary ?? 'ssh', 0) ?? 'ssh failed'),
      report: null,
      ms: Date.now() - started,
    };
  return {
    target,
    host: report.host ?? target.label,
    outcome: report.outcome,
    detail: safeLine(nodeDetail(report)),
    report,
    ms: Date.now() - started,
  };
}

export async function verifyNodes(
  targets: readonly SshTarget[],
  options: VerifyNodesOptions,
): Promise<NodeVerification[]> {
  // Bad ssh options are the user's mistake, not every node's: refused once, up front
  if (targets.length) buildSshArgs(targets[0], options);
  return mapPool(targets, options.concurrency ?? 2, async (t) => {
    const r = await verifyOnNode(t, options);
    options.onNode?.(r);
    return r;
  });
}

/** Inventory rows for the results (names from the scan's profiles where the target was profiled). */
export function verificationRows(
  results: NodeVerification[],
  options: Pick<VerifyNodesOptions, 'cpu' | 'modelName'>,
  nameOf: (r: NodeVerification) => string = (r) => r.host,
  now = new Date(),
): Verification[] {
  return results.map((r) => ({
    host: nameOf(r),
    target: r.target.label,
    verifiedAt: now.toISOString(),
    modelHash: modelHash(r.report?.bootedCpu ?? enforcedCpu(options.cpu)),
    modelCpu: r.report?.bootedCpu ?? enforcedCpu(options.cpu),
    modelName: options.modelName ?? null,
    outcome: r.outcome,
    accel: r.report?.accel ?? null,
    qemu: r.report?.qemu.version ?? null,
    detail: r.detail,
    report: r.report ?? {},
  }));
}
