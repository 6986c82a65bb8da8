/**
 * Start-up benchmark: the built CLI as whole processes against `node -e 0` in the same run, interleaved
 * so load on the machine hits all of them alike. Prints each median wall time and its ratio to node's.
 * Targets: `migratable --version` <= 1.5x node; a two-host `baseline --format json` <= 2.5x node.
 *
 *   npx tsx bench/startup.ts [--runs 15]
 *
 * Needs `npm run build` first (it runs dist/, as users do).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption } from './options.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const cli = join(root, 'dist/cli/main.js');
const RUNS = numberOption('runs', 15);

const CASES: Array<{ label: string; args: string[]; target?: number }> = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'migratable --version', args: [cli, '--version'], target: 1.5 },
  {
    label: 'migratable baseline examples/field-report-cluster --format json',
    args: [cli, 'baseline', 'examples/field-report-cluster', '--format', 'json'],
    target: 2.5,
  },
];

function timeOnce(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
for (const c of CASES) timeOnce(c.args); // warm the file cache
const times = CASES.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++) CASES.forEach((c, k) => times[k].push(timeOnce(c.args)));

const node = median(times[0]);
let missed = false;
console.log(`start-up, median of ${RUNS} interleaved runs (wall time)`);
CASES.forEach((c, k) => {
  const m = median(times[k]);
  const ratio = m / node;
  const verdict =
    c.target === undefined
      ? ''
      : ratio <= c.target
        ? `  (target <= ${c.target}x: met)`
        : `  (target <= ${c.target}x: MISSED)`;
  if (c.target !== undefined && ratio > c.target) missed = true;
  console.log(`${c.label.padEnd(66)} ${m.toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)}x${verdict}`);
});
if (missed) process.exitCode = 1;
