/**
 * Hostile and odd inputs through the built CLI: non-regular files, damaged inventories, terminal
 * escapes in host data. Every failure is exit 2 with one line; nothing raw reaches the terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { openInventory } from '../src/fleet/inventory/index.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { readInputText, readProfileInputs } from '../src/sources/files.js';

import { fixturesDir, repoRoot } from './helpers/paths.js';

/** The built CLI, without blocking this worker's event loop (some of these runs wait seconds). */
function cli(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'migratable-hardening-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const broadwell = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const expectOneLineExit2 = (r: { code: number | null; stdout: string; stderr: string }, re: RegExp) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(re);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
};

describe('non-regular inputs are bounded', () => {
  it('/dev/zero is refused at once', async () => {
    const started = Date.now();
    expectOneLineExit2(await cli(['profile', '/dev/zero']), /^migratable: \/dev\/zero: binary data/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('a FIFO nobody writes to is refused after the read timeout', async () => {
    const fifo = join(tmp, 'fifo');
    spawnSync('mkfifo', [fifo]);
    expectOneLineExit2(await cli(['profile', fifo]), /fifo: no data within 10 s/);
  }, 90_000);

  it('stdin and a FIFO with a writer are read', async () => {
    expect((await cli(['profile', '-'], broadwell)).stdout).toContain('E5-2690');
    const fifo = join(tmp, 'fifo-fed');
    spawnSync('mkfifo', [fifo]);
    const writer = spawn('sh', [
      '-c',
      'sleep 1; cat "$1" > "$2"',
      'sh',
      join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'),
      fifo,
    ]);
    const r = await cli(['profile', fifo]);
    writer.kill();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('E5-2690');
  }, 90_000);

  it('dangling and looping symlinks in an input folder are one-line errors', async () => {
    const dir = join(tmp, 'links');
    mkdirSync(dir);
    copyFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), join(dir, 'a.cpuinfo'));
    symlinkSync(join(tmp, 'missing'), join(dir, 'dangling'));
    expectOneLineExit2(await cli(['profile', dir]), /dangling: cannot read: no such file or directory$/m);
    rmSync(join(dir, 'dangling'));
    symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
    expectOneLineExit2(await cli(['profile', dir]), /loop: cannot read: symlink loop$/m);
  });

  it('an input folder: files and symlinks read, FIFOs and subfolders skipped unopened, /proc/cpuinfo for this kernel', () => {
    const dir = join(tmp, 'mixed');
    mkdirSync(dir);
    copyFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), join(dir, 'a.cpuinfo'));
    symlinkSync(join(fixturesDir, 'EPYC-9654_genoa.cpuinfo'), join(dir, 'link'));
    symlinkSync('/proc/cpuinfo', join(dir, 'local'));
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.cpuinfo'), 'not read');
    const started = Date.now();
    const profiles = readProfileInputs([dir]);
    expect(Date.now() - started).toBeLessThan(5000); // the FIFO was never opened (reading it waits 10 s)
    expect(profiles.map((p) => [p.name, p.kernel])).toEqual([
      ['a', null],
      ['link', null],
      ['local', release()],
    ]);
  });

  it('regular files are read whole: one buffer, several, exactly one, and /proc files that say size 0', () => {
    const stanza = broadwell.trim() + '\n\n';
    for (const size of [100, 65535, 65536, 65537, 200_000, 3 * 65536]) {
      const f = join(tmp, `size-${size}.cpuinfo`);
      const text = stanza.repeat(Math.ceil(size / stanza.length)).slice(0, size - 1) + '\u00e9';
      writeFileSync(f, text);
      expect(readInputText(f), `${size} bytes`).toBe(text);
    }
    expect(readInputText('/proc/self/status')).toMatch(/^Name:[\s\S]*\nPid:/);
  });

  it('a cpuinfo with a UTF-8 byte order mark is read', async () => {
    const f = join(tmp, 'bom.cpuinfo');
    writeFileSync(f, '\ufeff' + broadwell);
    expect((await cli(['profile', f])).code).toBe(0);
  });

  it('a format over its size cap is refused before parsing', async () => {
    const f = join(tmp, 'big.lscpu');
    writeFileSync(f, 'Architecture: x86_64\nVendor ID: GenuineIntel\nFlags: ' + 'sse '.repeat(400_000) + '\n');
    expectOneLineExit2(await cli(['profile', f]), /big\.lscpu: lscpu input of 1\.5 MiB is larger than any real one/);
  });
});

describe('escapes never reach the terminal', () => {
  const evil = '\u001b]0;owned\u0007\u001b[31mred\u009b2J';
  it('model names, host names and file names from host data are shown escaped', async () => {
    const dir = join(tmp, 'evil');
    mkdirSync(dir);
    const name = `host\u001b[2J`;
    writeFileSync(join(dir, name), broadwell.replace(/model name\t: .*/g, `model name\t: Xeon ${evil}`));
    for (const args of [
      ['profile', dir],
      ['baseline', dir],
      ['profile', '--json', dir],
    ]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    }
    expect((await cli(['profile', dir])).stdout).toContain('\\x1b[31mred');
    const bad = await cli(['profile', join(tmp, `nope\u001b[31m\nsecond line`)]);
    expectOneLineExit2(bad, /nope\\x1b\[31m\\nsecond line: cannot read/);
  });
});

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
      const r = await cli([...args, '--inventory', db]);
      expect([0, 1], `${args[0]}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/SqliteError|readonly/i);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(statSync(db).mtimeMs).toBe(mtime);
    const check = new Database(db, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });

  it('a host name with escapes, stored by a scan, is reprinted escaped by hosts', async () => {
    const evilDb = join(tmp, 'evil.db');
    const inv = openInventory(evilDb);
    inv.add([{ ...a, name: 'pve\u001b]0;owned\u0007\u001b[31m' }]);
    inv.close();
    for (const args of [['hosts'], ['hosts', '--json'], ['drift']]) {
      const r = await cli([...args, '--inventory', evilDb]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    }
    expect((await cli(['hosts', '--inventory', evilDb])).stdout).toContain('pve\\x1b]0;owned\\x07\\x1b[31m');
  });

  it('a foreign SQLite file is refused and left alone; a damaged row is one line', async () => {
    const foreign = join(tmp, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    const before = readFileSync(foreign);
    expectOneLineExit2(await cli(['hosts', '--inventory', foreign]), /foreign\.db: not a migratable inventory/);
    expect(readFileSync(foreign).equals(before)).toBe(true);

    const damaged = join(tmp, 'damaged.db');
    const inv = openInventory(damaged);
    inv.add([a]);
    inv.close();
    const d = new Database(damaged);
    d.prepare('UPDATE snapshots SET profile = ?').run(JSON.stringify({ ...a, physBits: 999 }));
    d.close();
    expectOneLineExit2(
      await cli(['hosts', '--inventory', damaged]),
      /damaged\.db: snapshot 1 \(host "pve1"\) is damaged: physBits/,
    );
    const d2 = new Database(damaged);
    d2.prepare('UPDATE snapshots SET profile = ?').run('{not json');
    d2.close();
    expectOneLineExit2(await cli(['drift', '--inventory', damaged]), /snapshot 1 \(host "pve1"\) is damaged: not JSON/);
  });
});
