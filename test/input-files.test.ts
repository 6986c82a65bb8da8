/**
 * Reading input files through the built CLI: non-regular files (devices, FIFOs, stdin, links), folders,
 * sizes and caps, empty input. Every failure is exit 2 with one line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
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
const hosts = join(repoRoot, 'examples/field-report-cluster');

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

describe('empty stdin is refused at once', () => {
  it.each([
    ['profile -', ['profile', '-']],
    ['apply -', ['apply', '-', '--file', join(tmp, 'never.conf')]],
    ['check --vm -', ['check', hosts, '--vm', '-']],
  ])('%s', async (_what, args) => {
    const started = Date.now();
    const r = await cli(args, '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^migratable: -: /);
    expect(r.stderr).not.toMatch(/no data within/);
    expect(Date.now() - started).toBeLessThan(5000); // was 10 s
  });

  it('/dev/null as an input too', async () => {
    const started = Date.now();
    const r = await cli(['profile', '/dev/null']);
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
