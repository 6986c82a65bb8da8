/**
 * Every file the CLI writes goes through one writer (src/fs/output-file.ts): a link planted where
 * an output file should be is refused and its target left alone, the content is replaced atomically,
 * and owner and mode are decided, not inherited from whatever was there.
 */
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { writeOutputFile } from '../src/fs/output-file.js';
import { cli } from './helpers/cli.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hosts = clusterHostsDir();
const planArgs = (...more: string[]) => ['plan', hosts, '--pve-config', etcPveCopy('pve9'), ...more];
const VICTIM_TEXT = 'root-owned file a link was planted to\n';

function victim(name: string): string {
  const v = join(tmp, name);
  writeFileSync(v, VICTIM_TEXT);
  chmodSync(v, 0o600);
  return v;
}

const expectRefusedLink = (r: { code: number | null; stderr: string }, link: string) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`${link}: is a symlink`);
};

describe('output files never follow a planted link (finding 2)', () => {
  it('plan --write-models DIR: a link in DIR named like a model is refused; its target is untouched', () => {
    const clean = join(tmp, 'models-clean');
    expect(cli(planArgs('--write-models', clean)).code).toBe(0);
    const names = readdirSync(clean);
    expect(names.length).toBeGreaterThan(0);

    const dir = join(tmp, 'models-planted');
    mkdirSync(dir);
    const target = victim('shadow-1');
    const link = join(dir, names[0]);
    symlinkSync(target, link);
    expectRefusedLink(cli(planArgs('--write-models', dir)), link);
    expect(readFileSync(target, 'utf8')).toBe(VICTIM_TEXT);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readlinkSync(link)).toBe(target);
  });

  it.each([
    ['baseline', (o: string) => ['baseline', hosts, '-o', o]],
    ['profile', (o: string) => ['profile', hosts, '-o', o]],
    ['plan', (o: string) => planArgs('-o', o)],
  ])('%s -o LINK is refused; the target is untouched', (name, args) => {
    const target = victim(`shadow-${name}`);
    const link = join(tmp, `out-${name}`);
    symlinkSync(target, link);
    expectRefusedLink(cli(args(link)), link);
    expect(readFileSync(target, 'utf8')).toBe(VICTIM_TEXT);
  });

  it('-o onto a dangling link does not create its target', () => {
    const link = join(tmp, 'dangling-out');
    const target = join(tmp, 'would-be-created');
    symlinkSync(target, link);
    expectRefusedLink(cli(['baseline', hosts, '-o', link]), link);
    expect(() => lstatSync(target)).toThrow();
  });

  it('-o replaces a regular file with a new one: no temp file left, planted group/world write bits dropped', () => {
    const out = join(tmp, 'planted-writable.conf');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o666);
    const before = statSync(out).ino;
    const r = cli(['baseline', hosts, '--format', 'pve', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^cpu-model: /m);
    expect(statSync(out).ino).not.toBe(before); // renamed over, not written in place
    expect(statSync(out).mode & 0o022).toBe(0); // the umask applies (CI's is 022)
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp.'))).toEqual([]);
  });

  it('refuses a directory or a FIFO where the file should be', () => {
    const d = join(tmp, 'a-dir');
    mkdirSync(d);
    expect(() => writeOutputFile(d, 'x')).toThrow(InputError);
    expect(() => writeOutputFile(d, 'x')).toThrow(/not a regular file/);
  });

  it('an explicit mode is set exactly, whatever the umask', () => {
    const f = join(tmp, 'exact-mode');
    writeOutputFile(f, 'x', { mode: 0o640 });
    expect(statSync(f).mode & 0o777).toBe(0o640);
  });
});
