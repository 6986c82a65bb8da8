import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** The CLI as installed (package.json bin): the bundle scripts/build-cli.mjs makes. */
export const cliPath = join(repoRoot, 'dist/cli/main.js');

/** Runs the built CLI (npm test builds first) as a user would. */
export function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    input,
    cwd: repoRoot,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The CLI without blocking this worker: for runs that take tens of seconds (guest boots) or tests that
 * run the CLI many times, during which a spawnSync would starve vitest's own messages.
 */
export function cliAsync(
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
