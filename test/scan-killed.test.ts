/**
 * Finding 11, the smaller ones, each: serve logs no stack trace for an aborted upload; a scan
 * killed with -9 leaves no ssh running past its timeout; read-only commands create no -wal/-shm;
 * empty stdin is refused at once; only real VM ids become `qm set` lines; the --write-models path
 * is quoted for the shell in the commands the plan prints.
 */
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { cli, cliPath } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { createSshFixture } from './helpers/sshd.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-smaller-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hosts = join(repoRoot, 'examples/field-report-cluster');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serve: an aborted upload is not an error of ours', () => {
  it('logs nothing for clients that hang up mid-body', async () => {
    const child = spawn(process.execPath, [cliPath, 'serve', hosts, '--port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /at (http:\/\/\S+)/.exec(stderr);
          if (m) resolve(m[1]);
        });
        child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
      });
      const { port } = new URL(url);
      for (let i = 0; i < 3; i++) {
        const sock = connect(Number(port), '127.0.0.1');
        sock.on('error', () => undefined);
        await new Promise((r) => sock.once('connect', r));
        sock.write(
          `POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5000)}`,
        );
        await sleep(200);
        sock.destroy();
      }
      await sleep(500);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^migratable: serving 2 host\(s\) at http/)]);
  }, 30_000);
});

describe('scan killed with -9', () => {
  /** Our ssh processes: those whose argv names this fixture's directory. */
  const sshOf = (dir: string) =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          return argv.some((a) => a.includes(dir)) && argv.some((a) => /(^|\/)ssh$/.test(a));
        } catch {
          return false;
        }
      })
      .map(Number);

  it('leaves no ssh running past its timeout', async () => {
    // the killed scan cannot remove its ssh log directory: this test does
    const sshLogDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('migratable-ssh-'));
    const logDirsBefore = new Set(sshLogDirs());
    const fixture = createSshFixture();
    const pids = join(fixture.dir, 'hang.pids');
    const found = new Set<number>();
    let port = 0;
    try {
      const hanging = await fixture.startServer({ forceCommand: `echo $$ >> ${pids}; exec sleep 60` });
      port = hanging.port;
      const o = fixture.clientOptions();
      const scan = spawn(
        process.execPath,
        [
          cliPath,
          'scan',
          `127.0.0.1:${hanging.port}`,
          '--timeout',
          '3',
          '--no-store',
          '--identity',
          o.identityFile,
          '--known-hosts',
          o.knownHostsFile,
          '--ssh-config',
          'none',
          '--ssh-option',
          o.extraOptions[0],
        ],
        { stdio: 'ignore' },
      );
      // wait until the host has taken the login and hangs
      for (let i = 0; i < 100 && !existsSync(pids); i++) await sleep(100);
      expect(existsSync(pids)).toBe(true);
      for (const p of sshOf(fixture.dir)) found.add(p);
      expect(found.size).toBeGreaterThan(0);
      scan.kill('SIGKILL');
      const killed = Date.now();
      while (sshOf(fixture.dir).length && Date.now() - killed < 20_000) await sleep(250);
      expect(sshOf(fixture.dir), 'ssh still running 20 s after scan was killed').toEqual([]);
      expect(Date.now() - killed).toBeLessThan(3000 + 5000 + 2000 + 3000); // timeout + grace + kill-after, plus slack
    } finally {
      for (const p of [
        ...found,
        ...(existsSync(pids) ? readFileSync(pids, 'utf8').split(/\s+/).filter(Boolean).map(Number) : []),
      ])
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      await fixture.close();
      // only the killed scan's: other tests' scans may be running beside this one
      for (const d of sshLogDirs().filter((x) => !logDirsBefore.has(x))) {
        const log = join(tmpdir(), d, 'ssh.log');
        if (port && existsSync(log) && readFileSync(log, 'utf8').includes(` port ${port}`))
          rmSync(join(tmpdir(), d), { recursive: true, force: true });
      }
    }
  }, 60_000);
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

describe('empty stdin is refused at once', () => {
  it.each([
    ['profile -', ['profile', '-']],
    ['apply -', ['apply', '-', '--file', join(tmp, 'never.conf')]],
    ['check --vm -', ['check', hosts, '--vm', '-']],
  ])('%s', (_what, args) => {
    const started = Date.now();
    const r = cli(args, '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^migratable: -: /);
    expect(r.stderr).not.toMatch(/no data within/);
    expect(Date.now() - started).toBeLessThan(5000); // was 10 s
  });

  it('/dev/null as an input too', () => {
    const started = Date.now();
    const r = cli(['profile', '/dev/null']);
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('only real VM ids become qm set lines', () => {
  it('0.conf and 99999999999999999999999.conf in a /etc/pve copy are skipped with a note', () => {
    const copy = join(tmp, 'etc-pve');
    cpSync(etcPveCopy('pve9'), copy, { recursive: true });
    const qs = join(copy, 'nodes', 'pve1', 'qemu-server');
    const config = readFileSync(
      join(
        qs,
        readdirSync(qs).find((f) => f.endsWith('.conf'))!,
      ),
      'utf8',
    );
    const plan = () => {
      const r = cli(['plan', clusterHostsDir(), '--pve-config', copy, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      for (const vm of (JSON.parse(r.stdout) as { vms: Array<{ vmid: number }> }).vms)
        expect(String(vm.vmid)).toMatch(/^[1-9]\d{2,8}$/);
      expect(r.stdout).not.toMatch(/qm set (1e\+23|0|12) /);
    };
    for (const f of ['0.conf', '99999999999999999999999.conf', '12.conf']) writeFileSync(join(qs, f), config);
    plan();
    // pmxcfs does not read 0101.conf as VM 101 either (a leading zero): no clash with 101.conf
    writeFileSync(join(qs, '0101.conf'), config);
    plan();
    const text = cli(['plan', clusterHostsDir(), '--pve-config', copy]);
    expect(text.stdout).toContain('99999999999999999999999.conf: skipped');
    expect(text.stdout).toContain('0.conf: skipped');
  });
});

describe('--write-models DIR in the printed commands', () => {
  it('is quoted for the shell: the command names exactly the file written', () => {
    const dir = join(tmp, `models dir 'with' $(touch pwned) ;x`);
    const r = cli([
      'plan',
      clusterHostsDir(),
      '--pve-config',
      etcPveCopy('pve9'),
      '--format',
      'json',
      '--write-models',
      dir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const applies = (JSON.parse(r.stdout) as { vms: Array<{ commands: string[] }> }).vms
      .flatMap((v) => v.commands)
      .filter((c) => c.startsWith('migratable apply '));
    expect(applies.length).toBeGreaterThan(0);
    for (const c of applies) {
      // what a shell makes of the argument: one word, the path of a file the plan wrote
      const words = spawnSync('sh', ['-c', `printf '%s\\n' ${c.slice('migratable apply '.length)}`], {
        cwd: tmp,
        encoding: 'utf8',
      })
        .stdout.trimEnd()
        .split('\n');
      expect(words).toHaveLength(1);
      expect(existsSync(words[0]), words[0]).toBe(true);
    }
    expect(existsSync(join(tmp, 'pwned'))).toBe(false);
  });
});
