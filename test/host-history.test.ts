/**
 * The inventory's per-host history summary (src/fleet/inventory/host-history.ts), kept up to date
 * as snapshots are stored, always equals the summary computed from every snapshot: for scans in
 * time order, for snapshots stored late (an older collectedAt), and when a scan migrates an
 * inventory made before the table existed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { fixturesDir } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-host-history-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const base = readCpuinfo(readFileSync(join(fixturesDir, 'Xeon-Gold-6132_skylake.cpuinfo'), 'utf8'), 'x', 'h');
const VARIABLE = ['rtm', 'hle', 'avx512f', 'pdpe1gb'];

/** Deterministic pseudo-random numbers. */
function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** The summary from every snapshot, in JS: what the table must equal. */
function fromScratch(db: string) {
  const rows = new Database(db, { readonly: true })
    .prepare('SELECT host, collected_at, id, features FROM snapshots ORDER BY host, collected_at, id')
    .all() as Array<{ host: string; collected_at: string; id: number; features: string }>;
  const by = new Map<string, typeof rows>();
  for (const r of rows) (by.get(r.host) ?? by.set(r.host, []).get(r.host)!).push(r);
  return [...by].map(([host, list]) => ({
    host,
    snapshots: list.length,
    changes: list.slice(1).filter((r, i) => r.features !== list[i].features).length,
    latest: list[list.length - 1].collected_at,
    features: list[list.length - 1].features.split(' '),
    previous: list.length > 1 ? list[list.length - 2].features.split(' ') : null,
  }));
}

const summary = (db: string) => {
  const inv = openInventory(db, { readOnly: true });
  try {
    return inv.featureSummary();
  } finally {
    inv.close();
  }
};

describe('the host history summary', () => {
  it('equals the summary of every snapshot, whatever order snapshots arrive in', () => {
    const db = join(tmp, 'random.db');
    const rand = rng(7);
    for (let i = 0; i < 120; i++) {
      const host = `h${Math.floor(rand() * 4)}`;
      const features = base.features.filter((f) => !VARIABLE.includes(f) || rand() < 0.7);
      // mostly in time order, a fifth stored late with an older time, some at the same second
      const minute = rand() < 0.2 ? Math.floor(rand() * i) : i;
      const inv = openInventory(db);
      inv.add([
        { ...base, name: host, features, collectedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString() },
      ]);
      inv.close();
      if (i % 20 === 19) expect(summary(db)).toEqual(fromScratch(db));
    }
    expect(summary(db).reduce((n, h) => n + h.changes, 0)).toBeGreaterThan(10);
  });

  it('a scan fills it for snapshots stored before it existed; readers of such a file compute it', () => {
    const db = join(tmp, 'old.db');
    const inv = openInventory(db);
    for (let i = 0; i < 6; i++)
      inv.add([
        {
          ...base,
          name: `h${i % 2}`,
          features: base.features.filter((f) => f !== 'rtm' || i < 4),
          collectedAt: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
        },
      ]);
    inv.close();
    // as a file from before the step: no table, the version one lower
    const raw = new Database(db);
    raw.exec('DROP TABLE host_history');
    raw.pragma(`user_version = ${(raw.pragma('user_version', { simple: true }) as number) - 1}`);
    raw.close();
    const expected = fromScratch(db);
    expect(expected.map((h) => h.changes)).toEqual([1, 1]);
    expect(summary(db)).toEqual(expected);
    const rw = openInventory(db);
    rw.close();
    const check = new Database(db, { readonly: true });
    expect(check.prepare('SELECT COUNT(*) AS n FROM host_history').get()).toEqual({ n: 2 });
    check.close();
    expect(summary(db)).toEqual(expected);
  });
});
