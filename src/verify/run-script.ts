/**
 * Runs the boot script on this machine: `/bin/sh -s`, script on stdin, bounded in time and output,
 * in a process group of its own so QEMU goes with it when the bound passes or this process ends.
 * (A node over SSH gets the script through the fleet's ssh runner instead; see cli/run/verify-nodes.ts.)
 */
import { spawn } from 'node:child_process';

/** How the script ended; the fleet's ProcessOutcome has the same fields (and more). */
export interface ScriptOutcome {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError: string | null;
}

/** The script's report is small; anything far beyond is not ours. */
const MAX_OUTPUT = 16 * 1024 * 1024;

export function runScriptLocally(script: string, timeoutMs: number): Promise<ScriptOutcome> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    let spawnError: string | null = null;
    const group = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // gone already
      }
    };
    const onExit = () => group('SIGKILL');
    process.once('exit', onExit);
    const timer = setTimeout(() => {
      timedOut = true;
      group('SIGTERM');
      setTimeout(() => group('SIGKILL'), 2000).unref();
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes <= MAX_OUTPUT) out.push(d);
      else group('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-65536);
    });
    child.stdin.on('error', () => {});
    child.on('error', (e) => (spawnError = e.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        code: spawnError ? null : code,
        signal,
        timedOut,
        spawnError,
      });
    });
    child.stdin.end(script);
  });
}
