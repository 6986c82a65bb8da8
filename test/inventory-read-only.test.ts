/**
 * The commands that read the inventory (hosts, drift, baseline --inventory) open it read-only: they
 * write no byte and create nothing beside it, and refuse a foreign or damaged file with one line.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { cli, cliAsync } from './helpers/cli.js';
import { fixturesDir } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-inventory-ro-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const broadwell = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');

const expectOneLineExit2 = (r: { code: number | null; stdout: string; stderr: string }, re: RegExp) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(re);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
};

describe('read-only inventory', () => {
  const db = join(tmp, 'inv.db');
  const a = readCpuinfo(broadwell, 'a', 'pve1');
  const b = readCpuinfo(broadwell.replace(/ hle /, ' '), 'b', 'pve1');

  it('hosts, drift and baseline --inventory read without writing a byte', async () => {
    const inv = openInventory(db);
    inv.add([{ ...a, collectedAt: '2026-11-01T10:00:00.000Z' }]);
    inv.add([{ ...b, name: `pve1`, collectedAt: '2026-11-02T10:00:00.000Z' }]);
    inv.close();
    // a rollback-journal file, as a backup copy or an older tool would leave it
    const plain = new Database(db);
    plain.pragma('journal_mode = DELETE');
    plain.close();
    const before = readFileSync(db);
    const mtime = statSync(db).mtimeMs;
    for (const args of [['hosts'], ['drift'], ['baseline']]) {
      const r = await cliAsync([...args, '--inventory', db]);
      expect([0, 1], `${args[0]}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/SqliteError|readonly/i);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(statSync(db).mtimeMs).toBe(mtime);
    const check = new Database(db, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });

  it('a foreign SQLite file is refused and left alone; a damaged row is one line', async () => {
    const foreign = join(tmp, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    const before = readFileSync(foreign);
    expectOneLineExit2(await cliAsync(['hosts', '--inventory', foreign]), /foreign\.db: not a migratable inventory/);
    expect(readFileSync(foreign).equals(before)).toBe(true);

    const damaged = join(tmp, 'damaged.db');
    const inv = openInventory(damaged);
    inv.add([a]);
    inv.close();
    const d = new Database(damaged);
    d.prepare('UPDATE snapshots SET profile = ?').run(JSON.stringify({ ...a, physBits: 999 }));
    d.close();
    expectOneLineExit2(
      await cliAsync(['hosts', '--inventory', damaged]),
      /damaged\.db: snapshot 1 \(host "pve1"\) is damaged: physBits/,
    );
    const d2 = new Database(damaged);
    d2.prepare('UPDATE snapshots SET profile = ?').run('{not json');
    d2.close();
    expectOneLineExit2(
      await cliAsync(['drift', '--inventory', damaged]),
      /snapshot 1 \(host "pve1"\) is damaged: not JSON/,
    );
  });
});

describe('read-only commands write nothing beside the inventory', () => {
  it('hosts, drift and baseline --inventory leave no -wal/-shm', () => {
    const dir = mkdtempSync(join(tmp, 'inv-'));
    const db = join(dir, 'inventory.db');
    const inv = openInventory(db);
    inv.add([readCpuinfo(readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8'), 'x', 'h1')]);
    inv.close();
    expect(readdirSync(dir)).toEqual(['inventory.db']);
    for (const args of [['hosts'], ['drift'], ['baseline']]) {
      const r = cli([...args, '--inventory', db]);
      expect(r.code, r.stderr).toBe(0);
      expect(readdirSync(dir), args[0]).toEqual(['inventory.db']);
    }
  });
});
