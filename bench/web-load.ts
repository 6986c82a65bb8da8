/**
 * Dashboard under load, loopback only: N clients load the host list over and over; the p95 of
 * their latency is measured quiet, then while one more client keeps posting a 15 MB paste
 * (refused at the size cap), then while it keeps posting a 7 MB paste (under the cap, parsed in
 * the worker). The target (issue 24): neither pushes the others' p95 above 1.5x the quiet figure.
 * Also: memory and time of the CLI on a 50 MB XML and a 50 MB lscpu file (both refused).
 *
 *   npx tsx bench/web-load.ts [--clients 20] [--seconds 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : fallback);
};
const clients = arg('clients', '20');
const seconds = arg('seconds', '5');

const cli = join(root, 'dist/src/cli/main.js');
// Server, clients and paster each in their own process, as on a real network
const serverProcess = spawn(
  process.execPath,
  [cli, 'serve', join(root, 'examples/field-report-cluster'), '--port', '0'],
  {
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
const server = {
  url: await new Promise<string>((done) => {
    let err = '';
    serverProcess.stderr.on('data', (d) => {
      err += d;
      const m = /at (http:\S+)/.exec(err);
      if (m) done(m[1]);
    });
  }),
};

/** One client in its own process posting `bytes` of cpuinfo as a paste, over and over until stopped. */
async function startPaster(bytes: number): Promise<{ stop(): number[] }> {
  const script = `
    const { readFileSync } = require('node:fs');
    const one = readFileSync(${JSON.stringify(join(root, 'examples/field-report-cluster/pve-amd1.cpuinfo'))}, 'utf8');
    const body = JSON.stringify({ text: one.repeat(Math.ceil(${bytes} / one.length)) });
    console.log('ready');
    (async () => {
      for (;;) {
        const r = await fetch(${JSON.stringify(server.url + 'api/profiles')}, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
        }).catch(() => null);
        await r?.arrayBuffer().catch(() => undefined);
        console.log(r?.status ?? 0);
      }
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((ready) =>
    child.stdout.on('data', (d) => {
      out += d;
      if (out.startsWith('ready\n')) ready();
    }),
  );
  return {
    stop: () => {
      child.kill();
      return out.split('\n').slice(1).filter(Boolean).map(Number);
    },
  };
}

async function client(until: number, latencies: number[]): Promise<void> {
  while (Date.now() < until) {
    const t = performance.now();
    const r = await fetch(`${server.url}api/hosts`);
    await r.arrayBuffer();
    latencies.push(performance.now() - t);
  }
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

async function phase(label: string, pasteBytes?: number): Promise<number> {
  const paster = pasteBytes ? await startPaster(pasteBytes) : null;
  const until = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(Array.from({ length: clients }, () => client(until, latencies)));
  const statuses = paster?.stop() ?? [];
  const p = p95(latencies);
  const pastes = statuses.length ? `; pastes: ${statuses.length} (status ${[...new Set(statuses)].join('/')})` : '';
  console.log(`${label.padEnd(28)} ${latencies.length} requests, p95 ${p.toFixed(0)} ms${pastes}`);
  return p;
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (the ratios move with it on a shared machine)`,
);
await phase('warm-up');
const quiet = await phase('quiet');
const refused = await phase('with a 15 MB paste', 15 << 20);
const parsed = await phase('with a 7 MB paste', 7 << 20);
console.log(
  `p95 ratio to quiet: 15 MB ${(refused / quiet).toFixed(2)}x, 7 MB ${(parsed / quiet).toFixed(2)}x (target <= 1.5x)`,
);
serverProcess.kill('SIGTERM');

// Big files through the CLI: refused by their format's size cap, memory a few times the input
const dir = mkdtempSync(join(tmpdir(), 'migratable-bench-'));
try {
  const xml = readFileSync(join(root, 'test/fixtures/virsh/epyc-nested.domcapabilities.xml'), 'utf8');
  const lscpu = readFileSync(join(root, 'test/fixtures/lscpu/epyc-nested.lscpu.txt'), 'utf8');
  const big: Array<[string, string]> = [
    [
      '50 MB domcapabilities XML',
      xml.replace('<cpu>', `<cpu>${"<feature policy='require' name='avx'/>".repeat(1_300_000)}`),
    ],
    ['50 MB lscpu', lscpu.replace('Flags:', `Flags: ${'sse '.repeat(13_000_000)}`)],
  ];
  for (const [label, text] of big) {
    const f = join(dir, 'big.in');
    writeFileSync(f, text);
    const r = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %M', process.execPath, join(root, 'dist/src/cli/main.js'), 'profile', f],
      {
        encoding: 'utf8',
      },
    );
    if (r.error) {
      console.log(`${label.padEnd(28)} n/a: /usr/bin/time is missing (Debian package "time")`);
      continue;
    }
    const [secs, kb] = r.stderr.trim().split('\n').pop()!.split(' ');
    console.log(`${label.padEnd(28)} exit ${r.status}, ${secs} s, max RSS ${Math.round(Number(kb) / 1024)} MB`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
