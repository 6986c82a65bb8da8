/**
 * Terminal escapes in host data (model names, host names, file names, names a scan stored in the
 * inventory) are printed escaped: nothing raw reaches the terminal.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { cliAsync as cli } from './helpers/cli.js';
import { fixturesDir } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-escapes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const broadwell = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const expectOneLineExit2 = (r: { code: number | null; stdout: string; stderr: string }, re: RegExp) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(re);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
};

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

describe('host names stored in the inventory', () => {
  const a = readCpuinfo(broadwell, 'a', 'pve1');
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
});
