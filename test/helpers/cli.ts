import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** Runs the built CLI (npm test compiles first) as a user would. */
export function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), ...args], {
    encoding: 'utf8',
    input,
    cwd: repoRoot,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
