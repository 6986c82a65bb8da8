/** `migratable apply` run as real concurrent processes on one file: no update is lost, nothing else changes. */
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pveLockDirFor } from '../src/proxmox/apply/lock.js';
import { repoRoot } from './helpers/paths.js';

const FOREIGN = `# hand-written, keep as is
cpu-model: avx
    flags +avx;+avx2
    reported-model kvm64

cpu-model: legacy
  reported-model Westmere
`;

const section = (name: string, flag: string) => `cpu-model: ${name}\n\tflags ${flag}\n\treported-model qemu64\n`;

/**
 * Lock waits in the stress tests below: long enough that a loaded machine (a full test run beside
 * other work) makes a round slower, not its applies give up; the appenders stop on their own.
 */
const PATIENT = ['--lock-timeout', '60'];

function runApply(args: string[], input: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'apply', '-', ...args]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.end(input);
  });
}

/**
 * A shell appending sections with `>>` (open O_APPEND, one write, close: no lock, as an admin
 * would) every 50 ms until `stop` exists or it has appended `MAX_APPENDS`; resolves with the names
 * it appended. The cap keeps the file's growth independent of the machine's load: uncapped, a
 * slow machine made long rounds, a file of 9,000 sections and ever slower merges.
 */
const MAX_APPENDS = 40;
function runAppender(file: string, tag: string, stop: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const script = [
      'f=$1; tag=$2; stop=$3; i=0',
      `while [ ! -e "$stop" ] && [ $i -lt ${MAX_APPENDS} ]; do`,
      '  printf "\\ncpu-model: %s%s\\n\\tflags +pcid\\n\\treported-model qemu64\\n" "$tag" "$i" >> "$f"',
      '  i=$((i+1)); sleep 0.05',
      'done; echo $i',
    ].join('\n');
    const child = spawn('sh', ['-c', script, 'sh', file, tag, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Array.from({ length: Number(out) }, (_, i) => `${tag}${i}`))
        : reject(new Error(`appender exited ${code}`)),
    );
  });
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apply-conc-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('apply under concurrency', () => {
  it('4 concurrent runs x 5 rounds: every reported success is in the file, foreign sections intact, mode kept', async () => {
    const file = join(dir, 'cpu-models.conf');
    await writeFile(file, FOREIGN);
    await chmod(file, 0o664);
    const succeeded: string[] = [];
    for (let round = 0; round < 5; round++) {
      const runs = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const name = `m${round}x${i}`;
          const r = await runApply(['--file', file, ...PATIENT], section(name, round % 2 ? '+aes' : '+pcid'));
          return { name, ...r };
        }),
      );
      for (const r of runs) {
        expect([0, 3], r.stderr).toContain(r.code);
        if (r.code === 0) succeeded.push(r.name);
      }
    }
    const text = await readFile(file, 'utf8');
    for (const name of succeeded) expect(text).toContain(`cpu-model: ${name}\n`);
    expect(succeeded.length).toBeGreaterThan(10); // waiting on the lock, not refusing
    expect(text.startsWith(FOREIGN)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o664);
    expect((await stat(`${file}.bak`)).mode & 0o777).toBe(0o664);
  }, 120_000);

  it("beside a lockless appender (an admin's >>): 0 sections lost in 10 rounds of 8 writers", async () => {
    const file = join(dir, 'cpu-models.conf');
    await writeFile(file, FOREIGN);
    const expected: string[] = [];
    let appended = 0;
    let exit3 = 0;
    for (let round = 0; round < 10; round++) {
      // 4 apply runs, and 4 shells appending with >> for as long as they run
      const stop = join(dir, `stop-${round}`);
      const appenders = [0, 1, 2, 3].map((w) => runAppender(file, `a${round}x${w}x`, stop));
      const applies = await Promise.all(
        [0, 1, 2, 3].map(async (i) => ({
          name: `m${round}x${i}`,
          ...(await runApply(['--file', file, ...PATIENT], section(`m${round}x${i}`, '+aes'))),
        })),
      );
      await writeFile(stop, '');
      for (const names of await Promise.all(appenders)) {
        expected.push(...names);
        appended += names.length;
      }
      for (const r of applies) {
        expect([0, 3], r.stderr).toContain(r.code);
        if (r.code === 0) expected.push(r.name);
        else exit3++;
      }
    }
    const text = await readFile(file, 'utf8');
    const lost = expected.filter((name) => !text.includes(`cpu-model: ${name}\n`));
    if (process.env.MIGRATABLE_TEST_REPORT)
      console.log(`appended ${appended}, applied ${expected.length - appended}, exit 3: ${exit3}, lost ${lost.length}`);
    expect(appended).toBeGreaterThan(200);
    expect(lost, `lost ${lost.length} of ${expected.length} sections (${exit3} apply runs exited 3)`).toEqual([]);
    expect(exit3).toBeLessThan(20); // apply merges a lockless writer's change instead of giving up
    expect(text.startsWith(FOREIGN)).toBe(true);
  }, 240_000);

  it('a symlinked file stays a symlink; its target is edited and keeps its mode', async () => {
    await mkdir(join(dir, 'real'));
    const target = join(dir, 'real', 'cpu-models.conf');
    const link = join(dir, 'cpu-models.conf');
    await writeFile(target, FOREIGN);
    await chmod(target, 0o640);
    await symlink('real/cpu-models.conf', link);
    const r = await runApply(['--file', link], section('linked', '+aes'));
    expect(r.code, r.stderr).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('real/cpu-models.conf');
    expect(await readFile(target, 'utf8')).toContain('cpu-model: linked\n');
    expect((await stat(target)).mode & 0o777).toBe(0o640);
    expect(await readFile(`${target}.bak`, 'utf8')).toBe(FOREIGN);
  });

  it('a held lock: waits, then exits 3 with one line and writes nothing (no .bak either)', async () => {
    const file = join(dir, 'cpu-models.conf');
    await writeFile(file, FOREIGN);
    await writeFile(`${file}.lock`, `${process.pid}@${(await import('node:os')).hostname()}\n`); // a live holder
    const r = await runApply(['--file', file, '--lock-timeout', '0.3'], section('busy', '+aes'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^migratable: .*cpu-models\.conf\.lock: locked by another writer/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readFile(file, 'utf8')).toBe(FOREIGN);
    await expect(stat(`${file}.bak`)).rejects.toThrow();
  });

  it('a lock left by a dead process is broken', async () => {
    const file = join(dir, 'cpu-models.conf');
    await writeFile(file, FOREIGN);
    await writeFile(`${file}.lock`, `999999999@${(await import('node:os')).hostname()}\n`);
    const r = await runApply(['--file', file, '--lock-timeout', '2'], section('fresh', '+aes'));
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('cpu-model: fresh\n');
  });

  it('under a Proxmox cluster filesystem root, the pmxcfs lock directory is used and released', async () => {
    expect(pveLockDirFor('/etc/pve/virtual-guest/cpu-models.conf')).toBe(
      '/etc/pve/priv/lock/file-virtual-guest_cpu-models_conf',
    );
    expect(pveLockDirFor('/srv/cpu-models.conf')).toBeNull();
    const { applyCpuModel } = await import('../src/proxmox/apply/index.js');
    const pveRoot = join(dir, 'pve');
    const file = join(pveRoot, 'virtual-guest', 'cpu-models.conf');
    const lockDir = join(pveRoot, 'priv/lock/file-virtual-guest_cpu-models_conf');
    await mkdir(lockDir, { recursive: true }); // held by a Proxmox tool
    const sectionObj = { name: 'pvelock', flags: ['+aes'], reportedModel: 'qemu64' };
    const busy = await applyCpuModel({ file, section: sectionObj, pveRoot, timeoutMs: 200 }).catch((e) => e);
    expect(busy.name).toBe('BusyError');
    await rm(lockDir, { recursive: true });
    const r = await applyCpuModel({ file, section: sectionObj, pveRoot });
    expect(r.action).toBe('created');
    await expect(stat(lockDir)).rejects.toThrow(); // released
    await expect(stat(`${file}.lock`)).rejects.toThrow(); // no lock file on pmxcfs
  });
});
