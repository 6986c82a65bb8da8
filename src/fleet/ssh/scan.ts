import type { RawProbe } from '../../sources/probe-bundle.js';
import { InputError } from '../../errors.js';
import { mapPool } from './pool.js';
import { effectiveHostKeyWeakness } from './host-key-guard.js';
import { buildSshArgs } from './ssh-args.js';
import { probeOverSsh, type ProbeOverSshOptions } from './ssh-probe.js';
import type { SshTarget } from './targets.js';

export interface ScanProgressEvent {
  /** Hosts finished so far, this one included */
  done: number;
  total: number;
  failedSoFar: number;
  target: SshTarget;
  ok: boolean;
  reason?: string;
  ms: number;
}

export interface ScanOptions extends ProbeOverSshOptions {
  /** Hosts probed at once; default 8 */
  concurrency?: number;
  onProgress?: (event: ScanProgressEvent) => void;
}

export interface ScanResult {
  /** In the order the targets were given */
  ok: Array<{ target: SshTarget; bundle: string; probe: RawProbe; ms: number; hostKey: string | null }>;
  failed: Array<{ target: SshTarget; reason: string }>;
}

/**
 * Probes every target over ssh, `concurrency` at a time, each bounded by `timeoutMs`. One
 * host failing never stops the others: the result keeps whatever succeeded.
 */
export async function scanHosts(targets: readonly SshTarget[], options: ScanOptions = {}): Promise<ScanResult> {
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError('--concurrency', 'must be a whole number, at least 1');
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0))
    throw new InputError('--timeout', 'must be more than 0');
  // Bad ssh options are the user's mistake, not every host's: refuse them once, up front.
  if (targets.length) {
    const args = buildSshArgs(targets[0], options);
    const weakness = options.insecureHostKeys
      ? null
      : await effectiveHostKeyWeakness(options.sshBinary ?? 'ssh', args.slice(0, -1));
    if (weakness)
      throw new InputError(
        'ssh configuration',
        `for ${targets[0].label} ssh would accept any host key: ${weakness} (from the ssh options, --ssh-config or ~/.ssh/config); fix it, or add --insecure-host-keys if you mean it`,
      );
  }
  let done = 0;
  let failedSoFar = 0;
  const outcomes = await mapPool(targets, concurrency, async (target) => {
    const outcome = await probeOverSsh(target, options);
    done++;
    if (!outcome.ok) failedSoFar++;
    options.onProgress?.({
      done,
      total: targets.length,
      failedSoFar,
      target,
      ok: outcome.ok,
      reason: outcome.ok ? undefined : outcome.reason,
      ms: outcome.ms,
    });
    return outcome;
  });
  const result: ScanResult = { ok: [], failed: [] };
  for (const o of outcomes) {
    if (o.ok) result.ok.push({ target: o.target, bundle: o.bundle, probe: o.probe, ms: o.ms, hostKey: o.hostKey });
    else result.failed.push({ target: o.target, reason: o.reason });
  }
  return result;
}
