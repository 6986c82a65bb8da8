/**
 * Benchmark (npm run bench, not a test): what `migratable metrics` and a scrape of serve's /metrics
 * cost for a fleet: N hosts with a year of scans in the inventory (hourly snapshots cut to S per host,
 * a few losing TSX, some failed scans), a cluster config of M VMs over those nodes. Prints the series
 * count, the exposition's size and the time to compute it (inventory read, plan, rendering).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openInventory } from '../src/fleet/inventory/index.js';
import { metricsSource, renderMetrics } from '../src/metrics/collect.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';

const fixtures = resolve(fileURLToPath(import.meta.url), '../../test/fixtures/cpuinfo');
// one vendor, so a cluster-wide plan has a named model and every VM a real answer
const DUMPS = readdirSync(fixtures).filter((f) => /^Xeon.*\.cpuinfo$/.test(f));

function fleet(dir: string, hosts: number, snapshots: number, vms: number) {
  const db = join(dir, 'inventory.db');
  const inv = openInventory(db);
  const profiles = Array.from({ length: hosts }, (_, i) => ({
    ...readCpuinfo(readFileSync(join(fixtures, DUMPS[i % DUMPS.length]), 'utf8'), 'bench', `pve${i + 1}`),
    kernel: '6.8.12',
    collectedAt: null,
  }));
  const start = Date.UTC(2026, 0, 1);
  for (let s = 0; s < snapshots; s++) {
    const at = new Date(start + s * 3600_000);
    // every 7th host loses TSX halfway through the year, every 13th fails its scans now and then
    const entries = profiles
      .filter((_, i) => !(i % 13 === 0 && s % 5 === 4))
      .map((p, i) => ({
        profile: i % 7 === 0 && s >= snapshots / 2 ? { ...p, features: p.features.filter((f) => f !== 'rtm') } : p,
        identity: { address: p.name, key: null },
        target: p.name,
        seconds: 1 + (i % 5) / 10,
      }));
    const failed = profiles
      .filter((_, i) => i % 13 === 0 && s % 5 === 4)
      .map((p) => ({ target: p.name, address: p.name, seconds: 30, reason: 'timed out' }));
    inv.addScan(entries, at, { startedAt: at, finishedAt: new Date(at.getTime() + 5000), failed });
  }
  inv.close();
  const etc = join(dir, 'etc-pve');
  for (let n = 1; n <= hosts; n++) mkdirSync(join(etc, `nodes/pve${n}/qemu-server`), { recursive: true });
  const cpus = ['host', 'kvm64', 'x86-64-v2-AES', 'Haswell'];
  for (let v = 0; v < vms; v++)
    writeFileSync(
      join(etc, `nodes/pve${(v % hosts) + 1}/qemu-server/${100 + v}.conf`),
      `name: vm${v}\ncpu: ${cpus[v % cpus.length]}\nmemory: 2048\n`,
    );
  return { db, etc };
}

for (const [hosts, snapshots, vms] of [
  [10, 100, 100],
  [100, 100, 1000],
  [100, 1000, 1000],
]) {
  if (process.argv[2] && Number(process.argv[2]) !== hosts * snapshots) continue;
  const dir = mkdtempSync(join(tmpdir(), 'bench-metrics-'));
  try {
    const { db, etc } = fleet(dir, hosts, snapshots, vms);
    const inputs = { inventory: db, cluster: () => readEtcPve(etc), planErrors: 'report' as const };
    await renderMetrics(inputs); // warm up
    const t0 = performance.now();
    const text = await renderMetrics(inputs);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    await renderMetrics({ inventory: db });
    const inventoryMs = performance.now() - t1;
    // serve: the inventory's and the plan's part are reused while unchanged
    const scrape = metricsSource(inputs);
    await scrape();
    const t2 = performance.now();
    await scrape();
    const cachedMs = performance.now() - t2;
    const series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    if (!text.includes('migratable_plan_success 1')) throw new Error('the plan failed');
    console.log(
      `${hosts} hosts x ${snapshots} snapshots, ${vms} VMs: ${series} series, ${(text.length / 1024).toFixed(0)} KiB, ` +
        `${ms.toFixed(0)} ms to compute (inventory alone ${inventoryMs.toFixed(0)} ms), ${cachedMs.toFixed(0)} ms per unchanged scrape`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
