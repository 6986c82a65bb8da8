/**
 * `migratable inventory prune` on a real SQLite inventory filled through the inventory's own writers
 * (scans with their runs, verifications, model versions): what goes, what always stays, and that
 * hosts, drift and metrics answer the same about the latest state after a prune.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openInventory, type ModelVersionRecord } from '../src/fleet/inventory/index.js';
import type { Verification } from '../src/fleet/inventory/verifications.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { cli } from './helpers/cli.js';
import { fixturesDir } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-prune-'));
const broadwell = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY);
const template = join(tmp, 'template.db');
let db = '';

function verification(host: string, at: Date, model: string): Verification {
  return {
    host,
    target: host,
    verifiedAt: at.toISOString(),
    modelHash: model.repeat(64).slice(0, 64),
    modelCpu: 'Broadwell-noTSX-IBRS,enforce',
    modelName: null,
    outcome: 'match',
    accel: 'kvm',
    qemu: '7.2.0',
    detail: 'saw the promise',
    report: { big: 'x'.repeat(2000) },
  };
}

const provenance: ModelVersionRecord = {
  name: 'fleet',
  family: 'fleet',
  version: 1,
  contentHash: 'c'.repeat(64),
  section: 'cpu-model: fleet\n    reported-model Broadwell\n',
  hosts: ['intel1', 'dormant'],
  action: 'added',
  recordedAt: daysAgo(400).toISOString(),
  toolVersion: '0.0.0',
  file: '/etc/pve/virtual-guest/cpu-models.conf',
};

/**
 * 60 daily scans of intel1 (rtm lost at the last one) and a failing host; `dormant` answered only at the
 * first scan, 90 days ago, so its one snapshot is older than any cutoff and must stay.
 */
function fill(path: string): void {
  const inv = openInventory(path);
  const withTsx = readCpuinfo(broadwell, 'a', 'intel1');
  const noTsx = readCpuinfo(broadwell.replace(/ hle /, ' ').replace(/ rtm /, ' '), 'b', 'intel1');
  const dormant = readCpuinfo(broadwell, 'c', 'dormant');
  try {
    for (let d = 90; d >= 31; d--) {
      const at = daysAgo(d);
      const entries = [{ profile: { ...(d > 31 ? withTsx : noTsx), collectedAt: at.toISOString() }, seconds: 1.5 }];
      if (d === 90) entries.push({ profile: { ...dormant, collectedAt: at.toISOString() }, seconds: 2 });
      inv.addScan(entries, at, {
        startedAt: at,
        finishedAt: at,
        failed: [{ target: 'gone:22', address: 'gone:22', seconds: null, reason: 'connection refused' }],
      });
      inv.addVerifications([verification('intel1', at, 'a'), verification('intel1', at, 'b')]);
    }
    inv.addVerifications([verification('dormant', daysAgo(90), 'a')]);
    inv.recordModelVersion(provenance);
  } finally {
    inv.close();
  }
}

function counts(path: string): Record<string, number> {
  const d = new Database(path, { readonly: true });
  try {
    const tables = ['snapshots', 'scan_runs', 'scan_attempts', 'verifications', 'model_versions', 'host_history'];
    return Object.fromEntries(
      tables.map((t) => [t, (d.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]),
    );
  } finally {
    d.close();
  }
}

/** What the readers say about the latest state: metrics and the newest verdicts. */
function latestState(path: string) {
  const hosts = JSON.parse(cli(['hosts', '--inventory', path, '--json']).stdout) as Array<Record<string, unknown>>;
  const metrics = cli(['metrics', '--inventory', path, '--feature-labels']);
  expect(metrics.code, metrics.stderr).toBe(0);
  // every series but the failure counter, which counts the failed attempts still stored
  const lines = metrics.stdout
    .split('\n')
    .filter((l) => /^migratable_(host|drift|scan_last)/.test(l) && !l.includes('result="failure"'));
  expect(lines.some((l) => l.startsWith('migratable_drift_events_total{') && l.endsWith(' 1'))).toBe(true);
  expect(lines.some((l) => l.startsWith('migratable_host_cpu_feature_lost{') && l.includes('rtm'))).toBe(true);
  return { hosts: hosts.map(({ snapshots: _n, first: _f, ...rest }) => rest), lines };
}

beforeEach(() => {
  if (!statSync(template, { throwIfNoEntry: false })) fill(template);
  db = join(tmp, `inv-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(template, db);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('inventory prune', () => {
  it('removes rows older than the cutoff and keeps what the inventory answers from', () => {
    const before = counts(db);
    expect(before).toMatchObject({ snapshots: 61, scan_runs: 60, scan_attempts: 121, verifications: 121 });
    const state = latestState(db);
    const r = cli(['inventory', 'prune', '--keep-days', '45', '--inventory', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const after = counts(db);
    // intel1: days 44..31 stay (14); dormant's only snapshot stays though 90 days old
    expect(after.snapshots).toBe(15);
    // runs 44..31, and the day-90 run: it holds dormant's newest snapshot
    expect(after.scan_runs).toBe(15);
    // a kept run stays whole but for attempts whose snapshot went: day 90 keeps dormant's and the failure
    expect(after.scan_attempts).toBe(14 * 2 + 2);
    // per node and model: days 44..31 for intel1's two models, and dormant's one
    expect(after.verifications).toBe(14 * 2 + 1);
    expect(after.model_versions).toBe(1);
    expect(after.host_history).toBe(2);
    expect(out.removed).toEqual({
      snapshots: before.snapshots - after.snapshots,
      scan_runs: before.scan_runs - after.scan_runs,
      scan_attempts: before.scan_attempts - after.scan_attempts,
      verifications: before.verifications - after.verifications,
    });
    expect(out.vacuumed).toBe(true);
    expect(out.bytesAfter).toBeLessThan(out.bytesBefore);
    // hosts (latest profile, newest verdict) and the metrics (features, lost, drift counter) are unchanged
    expect(latestState(db)).toEqual(state);
    const inv = openInventory(db, { readOnly: true });
    try {
      expect(inv.modelVersions()).toEqual([provenance]);
      expect(inv.latestProfiles().map((p) => p.name)).toEqual(['dormant', 'intel1']);
    } finally {
      inv.close();
    }
  });

  it('drift still sees the change inside the kept window', () => {
    cli(['inventory', 'prune', '--keep-days', '45', '--inventory', db]);
    const drift = cli(['drift', '--inventory', db, '--json']);
    const { steps } = JSON.parse(drift.stdout) as { steps: Array<{ host: string; removed: string[] }> };
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ host: 'intel1' });
    expect(steps[0].removed).toEqual(expect.arrayContaining(['hle', 'rtm']));
  });

  it('--keep-days 0 keeps only the newest per host and per node and model; --keep-last K more', () => {
    expect(cli(['inventory', 'prune', '--keep-days', '0', '--keep-last', '3', '--inventory', db]).code).toBe(0);
    expect(counts(db)).toMatchObject({ snapshots: 4, scan_runs: 4, verifications: 7, model_versions: 1 });
    const r = cli(['inventory', 'prune', '--keep-days', '0', '--inventory', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/snapshots: removed 1\b/);
    // intel1's newest and the one host_history names as previous (the metrics' feature diff), dormant's
    // one; the runs holding them
    expect(counts(db)).toMatchObject({ snapshots: 3, scan_runs: 3, verifications: 3, model_versions: 1 });
  });

  it('--dry-run counts the same rows and changes nothing', () => {
    const bytes = readFileSync(db);
    const dry = cli(['inventory', 'prune', '--keep-days', '45', '--inventory', db, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(readFileSync(db).equals(bytes)).toBe(true);
    const real = cli(['inventory', 'prune', '--keep-days', '45', '--inventory', db, '--json']);
    expect(JSON.parse(dry.stdout).removed).toEqual(JSON.parse(real.stdout).removed);
    expect(JSON.parse(dry.stdout).vacuumed).toBe(false);
  });

  it.each([
    [['--keep-days', '-1'], '--keep-days'],
    [['--keep-days', 'abc'], '--keep-days'],
    [['--keep-days', '1.5'], '--keep-days'],
    [['--keep-days', '7', '--keep-last', '0'], '--keep-last'],
    [['--keep-days', '7', '--dry-run', '--vacuum'], '--vacuum'],
  ])('refuses %j with one line naming %s, exit 2, nothing changed', (args, option) => {
    const bytes = readFileSync(db);
    const r = cli(['inventory', 'prune', ...args, '--inventory', db]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(option);
    expect(readFileSync(db).equals(bytes)).toBe(true);
  });

  it('refuses a missing inventory without creating one', () => {
    const missing = join(tmp, 'none.db');
    const r = cli(['inventory', 'prune', '--keep-days', '7', '--inventory', missing]);
    expect(r.code).toBe(2);
    expect(statSync(missing, { throwIfNoEntry: false })).toBeUndefined();
  });
});
