/** A scan killed with -9 leaves no ssh running past its timeout: each ssh runs under timeout(1). */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath } from './helpers/cli.js';
import { createSshFixture, sshCliArgs } from './helpers/sshd.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      const scan = spawn(
        process.execPath,
        [cliPath, 'scan', `127.0.0.1:${hanging.port}`, '--timeout', '3', '--no-store', ...sshCliArgs(fixture)],
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
