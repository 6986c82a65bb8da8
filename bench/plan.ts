/**
 * Planning a generated 50-node x 500-VM Proxmox cluster (bench/pve-cluster.ts), as users run it:
 * the built CLI as whole processes, interleaved with `node -e 0` so load on the machine hits all alike,
 * median wall time (and CPU time where /usr/bin/time exists); then `serve --pve-config` answering
 * GET /api/vms/ID/targets for random VMs from the plan it keeps.
 * Targets: plan < 1 s; targets VMID < 300 ms; the served endpoint's p95 < 20 ms.
 *
 *   npx tsx bench/plan.ts [--runs 7] [--nodes 50] [--vms 500] [--requests 2000]
 *
 * Needs `npm run build` first (it runs dist/, as users do).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCluster } from './pve-cluster.js';
import { numberOption } from './options.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const cli = join(root, 'dist/cli/main.js');
const RUNS = numberOption('runs', 7);
const dir = mkdtempSync(join(tmpdir(), 'migratable-bench-plan-'));
const cluster = generateCluster(dir, numberOption('nodes', 50), numberOption('vms', 500));
const clusterArgs = [cluster.hosts, '--pve-config', cluster.etcPve];
const hasTime = existsSync('/usr/bin/time');

// targets for a VM outside HA (its domain is every node) and for one bound by a keep-together rule
const CASES: Array<{ label: string; args: string[]; target?: number }> = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'plan (text)', args: [cli, 'plan', ...clusterArgs], target: 1000 },
  { label: 'plan --format json', args: [cli, 'plan', ...clusterArgs, '--format', 'json'], target: 1000 },
  {
    label: `targets ${cluster.unplaced} (every node)`,
    args: [cli, 'targets', String(cluster.unplaced), ...clusterArgs],
    target: 300,
  },
  {
    label: `targets ${cluster.bundled} (keep-together) json`,
    args: [cli, 'targets', String(cluster.bundled), ...clusterArgs, '--format', 'json'],
    target: 300,
  },
  { label: 'targets --all --format json', args: [cli, 'targets', '--all', ...clusterArgs, '--format', 'json'] },
];

function timeOnce(args: string[]): { wall: number; cpu: number } {
  const t = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  // targets exits 1 for a VM with no target: an answer, not a failure
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [u, s] = hasTime ? r.stderr.toString().trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN];
  return { wall, cpu: (u + s) * 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function served(): Promise<void> {
  const server = spawn(process.execPath, [cli, 'serve', ...clusterArgs, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const url = await new Promise<string>((done, fail) => {
      let err = '';
      server.stderr.on('data', (d) => {
        err += d;
        const m = /at (http:\S+)/.exec(err);
        if (m) done(m[1]);
      });
      server.on('exit', (code) => fail(new Error(`serve exited ${code}: ${err}`)));
    });
    const t0 = performance.now();
    for (;;) {
      const r = await fetch(`${url}api/plan`);
      await r.arrayBuffer();
      if (r.status === 200) break;
      await new Promise((w) => setTimeout(w, 50));
    }
    console.log(`serve: first plan ready ${(performance.now() - t0).toFixed(0)} ms after start-up`);
    const requests = numberOption('requests', 2000);
    for (const clients of [1, 8]) {
      const latencies: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < requests) {
            const vmid = cluster.vmids[(next++ * 7919) % cluster.vmids.length];
            const t = performance.now();
            const r = await fetch(`${url}api/vms/${vmid}/targets`);
            await r.arrayBuffer();
            if (r.status !== 200) throw new Error(`GET /api/vms/${vmid}/targets: ${r.status}`);
            latencies.push(performance.now() - t);
          }
        }),
      );
      console.log(
        `GET /api/vms/ID/targets, ${clients} client(s), ${requests} requests: p50 ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms (target p95 < 20 ms)`,
      );
    }
  } finally {
    server.kill('SIGTERM');
  }
}

try {
  console.log(`cluster: ${cluster.nodes.length} nodes, ${cluster.vmids.length} VMs (bench/pve-cluster.ts)`);
  const samples = CASES.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  timeOnce(CASES[1].args); // warm the file cache
  for (let r = 0; r < RUNS; r++)
    CASES.forEach((c, i) => {
      const { wall, cpu } = timeOnce(c.args);
      samples[i].wall.push(wall);
      samples[i].cpu.push(cpu);
    });
  const node = median(samples[0].wall);
  CASES.forEach((c, i) => {
    const wall = median(samples[i].wall);
    const cpu = hasTime ? `, CPU ${median(samples[i].cpu).toFixed(0)} ms` : '';
    const target = c.target ? ` (target < ${c.target} ms)` : '';
    const ratio = i ? `, ${(wall / node).toFixed(1)}x node` : '';
    console.log(`${c.label.padEnd(34)} ${wall.toFixed(0).padStart(5)} ms${cpu}${ratio}${target}`);
  });
  await served();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
