/** npm run bench: every benchmark in turn (none of them is a test; numbers are for reading). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const dir = dirname(fileURLToPath(import.meta.url));
const which = process.argv.slice(2);
const all = [
  'startup.ts',
  'baseline.ts',
  'fleet.ts',
  'check.ts',
  'plan.ts',
  'scan.ts',
  'cluster-ops.ts',
  'metrics.ts',
  'web-render.ts',
  'web-load.ts',
];
for (const b of which.length ? which.map((w) => `${w.replace(/\.ts$/, '')}.ts`) : all) {
  console.log(`\n== ${b}`);
  const r = spawnSync(process.execPath, [...process.execArgv, join(dir, b)], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
