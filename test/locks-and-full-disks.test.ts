/**
 * Finding 3: a lock names its owner, so a dead owner's or an ownerless (empty) FILE.lock is taken
 * over at once instead of making every apply exit 3 for a minute; and a full disk or a read-only
 * filesystem is one line naming the file, with nothing lost: apply leaves the file, its backup and
 * no lock behind, -o keeps the old output, and scan keeps (prints) what it found. The full disks are
 * real: a tmpfs with size= (needs root, as CI has; skipped with the reason otherwise).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { cliPath } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { startPveReplay, type PveReplay, pveApiArgs } from './helpers/pve-replay.js';
import { mountSmallFs, smallFsSkipReason, type SmallFs } from './helpers/small-fs.js';

function cli(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const FOREIGN = 'cpu-model: avx\n    flags +avx;+avx2\n    reported-model kvm64\n';
const section = (name: string) => `cpu-model: ${name}\n\tflags +aes\n\treported-model qemu64\n`;
const hosts = join(repoRoot, 'examples/field-report-cluster');
const tmp = mkdtempSync(join(tmpdir(), 'migratable-locks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const oneLine = (stderr: string) => expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);

describe('locks carry their owner', () => {
  let n = 0;
  const fresh = () => {
    const file = join(tmp, `cpu-models-${n++}.conf`);
    writeFileSync(file, FOREIGN);
    return file;
  };
  const ownStart = () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  };
  const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

  it('an empty FILE.lock (a kill -9 or a full disk while taking it) is taken over at once', async () => {
    const file = fresh();
    writeFileSync(`${file}.lock`, '');
    utimesSync(`${file}.lock`, new Date(Date.now() - 5000), new Date(Date.now() - 5000));
    const started = Date.now();
    const r = await cli(['apply', '-', '--file', file, '--lock-timeout', '8'], section('afterempty'));
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(readFileSync(file, 'utf8')).toContain('cpu-model: afterempty\n');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a lock whose pid now belongs to another process (pid reused: other start time) is taken over at once', async () => {
    const file = fresh();
    // this very process runs under that pid, but it started at another time than the holder did
    writeFileSync(`${file}.lock`, `pid=${process.pid} host=${hostname()} boot=${bootId()} start=1\n`);
    const r = await cli(['apply', '-', '--file', file, '--lock-timeout', '5'], section('pidreused'));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('cpu-model: pidreused\n');
  });

  it('a lock taken before a reboot (another boot id) is taken over at once', async () => {
    const file = fresh();
    writeFileSync(
      `${file}.lock`,
      `pid=${process.pid} host=${hostname()} boot=00000000-0000-0000-0000-000000000000 start=${ownStart()}\n`,
    );
    const r = await cli(['apply', '-', '--file', file, '--lock-timeout', '5'], section('rebooted'));
    expect(r.code, r.stderr).toBe(0);
  });

  it('a live owner keeps its lock: exit 3 after the timeout, nothing written', async () => {
    const file = fresh();
    writeFileSync(`${file}.lock`, `pid=${process.pid} host=${hostname()} boot=${bootId()} start=${ownStart()}\n`);
    const r = await cli(['apply', '-', '--file', file, '--lock-timeout', '0.5'], section('blocked'));
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(readFileSync(file, 'utf8')).toBe(FOREIGN);
  });

  it("apply's own lock names it (pid, host, boot, start) while held", async () => {
    const { withFileLock } = await import('../src/proxmox/apply/lock.js');
    const file = fresh();
    const seen = await withFileLock(file, async () => readFileSync(`${file}.lock`, 'utf8'));
    expect(seen).toBe(`pid=${process.pid} host=${hostname()} boot=${bootId()} start=${ownStart()}\n`);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe.skipIf(smallFsSkipReason !== null)('full and read-only filesystems (a real tmpfs)', () => {
  let fs: SmallFs | undefined;
  afterEach(() => {
    fs?.unmount();
    fs = undefined;
  });
  const leftovers = (dir: string) => readdirSync(dir).filter((f) => /\.(tmp|lock|stale)\b|\.bak$/.test(f));

  it.each([
    ['the lock', 0],
    ['the new content', 4096],
  ])('apply on a full disk (no room for %s): one line naming the file, exit 1, nothing lost', async (_what, room) => {
    fs = mountSmallFs(256);
    const file = join(fs.dir, 'cpu-models.conf');
    writeFileSync(file, FOREIGN);
    fs.fill();
    if (room) truncateSync(join(fs.dir, 'filler'), statSync(join(fs.dir, 'filler')).size - room);
    const r = await cli(['apply', '-', '--file', file], section('nospace'));
    expect(r.code, r.stderr).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`migratable: ${file}: `);
    expect(r.stderr).toContain('no space left on device (ENOSPC)');
    expect(readFileSync(file, 'utf8')).toBe(FOREIGN);
    expect(leftovers(fs.dir)).toEqual([]);
  });

  it('-o on a full disk: one line naming the output file, its old content kept', async () => {
    fs = mountSmallFs(128);
    const out = join(fs.dir, 'model.json');
    writeFileSync(out, '{"old": true}\n');
    fs.fill();
    const r = await cli(['baseline', hosts, '--format', 'json', '-o', out]);
    expect(r.code, r.stderr).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(new RegExp(`^migratable: ${out}: cannot write: no space left on device \\(ENOSPC\\)`));
    expect(readFileSync(out, 'utf8')).toBe('{"old": true}\n');
    expect(leftovers(fs.dir)).toEqual([]);
  });

  it('apply and -o on a read-only filesystem: one line naming the file', async () => {
    fs = mountSmallFs(128);
    const file = join(fs.dir, 'cpu-models.conf');
    writeFileSync(file, FOREIGN);
    fs.readOnly();
    const a = await cli(['apply', '-', '--file', file], section('readonly'));
    expect(a.code, a.stderr).toBe(1);
    oneLine(a.stderr);
    expect(a.stderr).toContain(`migratable: ${file}: `);
    expect(a.stderr).toContain('read-only file system (EROFS)');
    const o = await cli(['baseline', hosts, '-o', join(fs.dir, 'out.txt')]);
    expect(o.code, o.stderr).toBe(1);
    oneLine(o.stderr);
    expect(o.stderr).toContain(`${join(fs.dir, 'out.txt')}: cannot write: read-only file system (EROFS)`);
    expect(readFileSync(file, 'utf8')).toBe(FOREIGN);
  });

  describe('scan on a full disk', () => {
    const SECRET = '0b7c1a55-1f0e-4d53-9c1b-3a1d2c3b4a5f';
    const TOKEN = `root@pam!migratable=${SECRET}`;
    let srv: PveReplay;
    beforeAll(async () => {
      srv = await startPveReplay({ version: '9.2', token: TOKEN });
    });
    afterAll(() => srv?.close());

    it('keeps what it found: the profiles on stdout, the inventory as it was, one line naming it', async () => {
      fs = mountSmallFs(1024);
      const db = join(fs.dir, 'inventory.db');
      const inv = openInventory(db);
      const broadwell = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');
      inv.add([readCpuinfo(broadwell, 'x', 'old-host')]);
      inv.close();
      const tokenFile = join(tmp, 'token');
      writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
      fs.fill();
      const r = await cli(['scan', ...pveApiArgs(srv, tokenFile), '--inventory', db]);
      expect(r.code, r.stderr).toBe(1);
      oneLine(r.stderr);
      expect(r.stderr).toContain(`migratable: ${db}: cannot write: no space left on device`);
      expect(r.stderr).not.toMatch(/not a usable/);
      const printed = JSON.parse(r.stdout) as Array<{ name: string }>;
      expect(printed.map((p) => p.name).sort()).toEqual(['pve1', 'pve2', 'pve3']);
      truncateSync(join(fs.dir, 'filler'), 0);
      const after = openInventory(db, { readOnly: true });
      try {
        expect(after.latestProfiles().map((p) => p.name)).toEqual(['old-host']);
      } finally {
        after.close();
      }
    });
  });
});
