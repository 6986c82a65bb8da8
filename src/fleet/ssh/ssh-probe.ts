import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { PROBE_SCRIPT } from '../../sources/probe-script.js';
import { isProbeBundle, parseProbeBundle, type RawProbe } from '../../sources/probe-bundle.js';
import { runProcess, type ProcessOutcome } from '../../process/run-process.js';
import { cleanLines, oneLineReason } from './reason.js';
import { effectiveHostKeyWeakness } from './host-key-guard.js';
import { createSshLog } from './ssh-log.js';
import { buildSshArgs, type SshOptions } from './ssh-args.js';
import type { SshTarget } from './targets.js';

export interface ProbeOverSshOptions extends SshOptions {
  /** Overall bound for this host (connect + probe); ssh is killed when it passes. Default 60 s. */
  timeoutMs?: number;
}

export type HostOutcome =
  | {
      ok: true;
      target: SshTarget;
      bundle: string;
      probe: RawProbe;
      ms: number;
      /** The host key ssh verified (`ssh-ed25519 SHA256:...`); null when ssh did not log it */
      hostKey: string | null;
    }
  | { ok: false; target: SshTarget; reason: string; ms: number };

/** Probes one host: `ssh ... -- host sh -s` with the probe script on stdin. Never throws. */
export async function probeOverSsh(target: SshTarget, options: ProbeOverSshOptions = {}): Promise<HostOutcome> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const sshBinary = options.sshBinary ?? 'ssh';
  let args: string[];
  try {
    args = buildSshArgs(target, options);
  } catch (e) {
    return { ok: false, target, reason: (e as Error).message, ms: 0 };
  }
  if (!options.insecureHostKeys) {
    const weakness = await effectiveHostKeyWeakness(sshBinary, args.slice(0, -1));
    if (weakness) return { ok: false, target, reason: `refused: ssh would accept any host key (${weakness})`, ms: 0 };
  }
  const log = createSshLog();
  const [command, argv] = outlived(sshBinary, [...log.args, ...args], timeoutMs);
  const ran = notStarted(await runProcess(command, argv, { input: PROBE_SCRIPT, timeoutMs }), sshBinary);
  const { messages, hostKey } = log.collect();
  // The remote's stderr first, then what ssh itself said (its reason for failing comes last);
  // debug lines on stderr come from a jump host's ssh
  const remote = ran.stderr.split('\n').filter((l) => !/^debug\d: /.test(l));
  const result = { ...ran, stderr: [...remote, ...messages].join('\n') };
  const failure = sshFailure(result, sshBinary, timeoutMs);
  if (failure) return { ok: false, target, reason: failure, ms: result.ms };
  try {
    const probe = parseProbeBundle(result.stdout, target.label);
    return { ok: true, target, bundle: result.stdout, probe, ms: result.ms, hostKey };
  } catch (e) {
    // The report already names the host; drop InputError's "where: " prefix.
    const reason = e instanceof InputError ? e.message.slice(e.where.length + 2) : (e as Error).message;
    return { ok: false, target, reason, ms: result.ms };
  }
}

/**
 * Our own timer ends ssh, but not when migratable itself is killed (kill -9 runs no handler, and ssh
 * runs in its own process group): so ssh runs under coreutils timeout(1), which ends it a few seconds
 * after our deadline whatever becomes of us. Where there is no timeout(1), ssh runs bare.
 */
const TIMEOUT_BIN = ['/usr/bin/timeout', '/bin/timeout'].find((p) => existsSync(p)) ?? null;
const TIMEOUT_GRACE_S = 5;

function outlived(sshBinary: string, args: string[], timeoutMs: number): [string, string[]] {
  if (!TIMEOUT_BIN) return [sshBinary, args];
  const seconds = Math.ceil(timeoutMs / 1000) + TIMEOUT_GRACE_S;
  return [TIMEOUT_BIN, ['-k', '2', String(seconds), sshBinary, ...args]];
}

/** timeout(1) exits 127 (not found) or 126 (not runnable) when it cannot run ssh: that is ssh not starting. */
function notStarted(r: ProcessOutcome, sshBinary: string): ProcessOutcome {
  if (!TIMEOUT_BIN || (r.code !== 126 && r.code !== 127) || !/^\S*timeout: /m.test(r.stderr)) return r;
  // as Node words its own spawn errors
  return { ...r, code: null, spawnError: `spawn ${sshBinary} ${r.code === 127 ? 'ENOENT' : 'EACCES'}` };
}

/** One line saying why an ssh run did not yield a bundle, or null when it did. */
export function sshFailure(result: ProcessOutcome, sshBinary: string, timeoutMs: number): string | null {
  if (result.spawnError) return `cannot run ${sshBinary}: ${result.spawnError} (is the OpenSSH client installed?)`;
  if (result.timedOut) {
    const last = oneLineReason(result.stderr);
    return `timed out after ${timeoutMs} ms; ssh killed${last ? ` (last message: ${last})` : ''}`;
  }
  if (result.outputOverflow) return 'host sent far more output than a probe bundle; ssh killed';
  if (result.code === 255) return sshErrorReason(result.stderr);
  if (result.code !== 0) {
    const last = oneLineReason(result.stderr);
    return `remote probe exited with ${result.code ?? `signal ${result.signal}`}${last ? `: ${last}` : ''}`;
  }
  if (!isProbeBundle(result.stdout)) {
    const first = cleanLines(result.stdout)[0];
    return `host did not answer with a probe bundle${first ? ` (it printed: ${first.slice(0, 120)})` : ' (empty output)'}`;
  }
  return null;
}

/** ssh exits 255 on its own errors; its last stderr line says why, earlier ones add context. */
function sshErrorReason(stderr: string): string {
  const lines = cleanLines(stderr);
  const all = lines.join('\n');
  if (/Host key verification failed/i.test(all)) {
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(all)) {
      return 'host key verification failed: the host key CHANGED since it was recorded in known_hosts (reinstalled host, or someone in the middle)';
    }
    const unknown = lines.find((l) => /host key is known for/i.test(l));
    if (unknown)
      return `host key verification failed: ${unknown.replace(/ and you have requested strict checking\.?$/, '')} (add it to known_hosts, or accept new host keys)`;
    return 'host key verification failed';
  }
  return oneLineReason(stderr) || 'ssh failed (exit status 255) without saying why';
}
