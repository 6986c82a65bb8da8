/**
 * Scan benchmark: does the promise pool really overlap hosts? Starts loopback sshd servers,
 * scans N targets (servers reused round-robin) with the real probe, and compares wall time
 * with `slowest single host x ceil(N / concurrency)` (what a pool that works should beat).
 *
 *   npx tsx bench/scan.ts [--servers 10] [--targets 200] [--concurrency 16 | 8,32] [--canned MS]
 *
 * By default every target runs the real probe (QEMU included), so on loopback the client,
 * the servers and every probe share this machine's CPUs: that measures CPU, not the pool.
 * `--canned MS` makes the servers answer with a bundle recorded once, after sleeping MS
 * milliseconds (sshd ForceCommand): closer to a real fleet, where the probe's work happens
 * on the remote hosts and the scanner mostly waits.
 *
 * Loopback only; every server and temp file is removed at the end.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runProbeLocally } from '../src/fleet/ssh/local-probe.js';
import { scanHosts } from '../src/fleet/ssh/scan.js';
import { parseTarget } from '../src/fleet/ssh/targets.js';
import { createSshFixture } from '../test/helpers/sshd.js';
import { numberOption, stringOption } from './options.js';

const serverCount = numberOption('servers', 10);
const targetCount = numberOption('targets', 200);
const concurrencies = stringOption('concurrency', '16').split(',').map(Number);
const cannedMs = process.argv.includes('--canned') ? numberOption('canned', 500) : null;
// Keeps the benchmark bounded even on a very slow machine.
const PER_HOST_TIMEOUT_MS = 60_000;

const fixture = createSshFixture();
try {
  let forceCommand: string | undefined;
  if (cannedMs !== null) {
    const bundleFile = join(fixture.dir, 'canned.bundle');
    writeFileSync(bundleFile, await runProbeLocally({ timeoutMs: 60_000 }));
    forceCommand = `sleep ${(cannedMs / 1000).toFixed(3)}; cat ${bundleFile}`;
  }
  const servers = await Promise.all(Array.from({ length: serverCount }, () => fixture.startServer({ forceCommand })));
  const targets = Array.from({ length: targetCount }, (_, i) =>
    parseTarget(`127.0.0.1:${servers[i % servers.length].port}`),
  );
  const options = { ...fixture.clientOptions(), timeoutMs: PER_HOST_TIMEOUT_MS };

  // Unloaded single host, for reference.
  const solo = await scanHosts([targets[0]], options);
  if (solo.failed.length) throw new Error(`single-host scan failed: ${solo.failed[0].reason}`);
  const mode = cannedMs === null ? 'real probe' : `canned bundle after ${cannedMs} ms`;
  console.log(
    `${mode}: ${serverCount} sshd servers, ${targetCount} targets, ${availableParallelism()} CPUs; one host alone: ${solo.ok[0].ms} ms`,
  );

  for (const concurrency of concurrencies) {
    const started = performance.now();
    const result = await scanHosts(targets, { ...options, concurrency });
    const wall = Math.round(performance.now() - started);
    const times = result.ok.map((o) => o.ms).sort((a, b) => a - b);
    const slowest = times.at(-1) ?? 0;
    const waves = Math.ceil(targetCount / concurrency);
    const bound = slowest * waves;
    const median = times[Math.floor(times.length / 2)] ?? 0;
    // Σ per-host time / wall: how many hosts were in flight on average (≈ concurrency when the pool keeps every slot busy)
    const overlap = times.reduce((a, b) => a + b, 0) / wall;
    console.log(
      `concurrency ${String(concurrency).padStart(3)}: wall ${wall} ms | ok ${result.ok.length}, failed ${result.failed.length}` +
        ` | per host median ${median} ms, slowest ${slowest} ms | slowest x ceil(${targetCount}/${concurrency}) = ${bound} ms` +
        ` | wall/bound ${(wall / bound).toFixed(2)} | hosts in flight ${overlap.toFixed(1)}`,
    );
    for (const f of result.failed.slice(0, 3)) console.log(`  failed ${f.target.label}: ${f.reason}`);
  }
} finally {
  await fixture.close();
}
