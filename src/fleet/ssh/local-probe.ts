import { PROBE_SCRIPT } from '../../sources/probe-script.js';
import { runProcess } from '../../process/run-process.js';
import { oneLineReason } from './reason.js';

export interface LocalProbeOptions {
  /** Kills the probe after this long (QEMU inside it is bounded separately by timeout(1)). */
  timeoutMs?: number;
}

/**
 * Runs the probe script on this machine, exactly as a remote host would (`sh -s`, script on
 * stdin), and returns the bundle text. Throws Error with one line when the script fails.
 */
export async function runProbeLocally(options: LocalProbeOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const result = await runProcess('/bin/sh', ['-s'], { input: PROBE_SCRIPT, timeoutMs });
  if (result.spawnError) throw new Error(`could not run /bin/sh: ${result.spawnError}`);
  if (result.timedOut) throw new Error(`probe script did not finish within ${timeoutMs} ms`);
  if (result.code !== 0) {
    const why = oneLineReason(result.stderr);
    throw new Error(`probe script exited with ${result.code ?? result.signal}${why ? `: ${why}` : ''}`);
  }
  return result.stdout;
}
