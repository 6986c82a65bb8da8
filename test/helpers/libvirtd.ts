/**
 * A private libvirt session daemon for one test file: libvirtd runs as an unprivileged user (nobody)
 * with its runtime, config and state under a temp directory, so it never touches the system daemon's
 * domains, sockets or /etc/libvirt; stop() ends it (by its own pid) and removes the directory.
 * Root's own qemu:///session would be the privileged system driver, hence the separate user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOBODY = 65534;

export interface VirshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SessionLibvirtd {
  uri: string;
  dir: string;
  virsh: (args: string[]) => VirshResult;
  stop: () => Promise<void>;
}

export const LIBVIRTD = '/usr/sbin/libvirtd';

export async function startSessionLibvirtd(): Promise<SessionLibvirtd> {
  if (!existsSync(LIBVIRTD)) throw new Error(`${LIBVIRTD} missing: run scripts/install-system-deps`);
  const dir = mkdtempSync(join(tmpdir(), 'migratable-libvirtd-'));
  chownSync(dir, NOBODY, NOBODY);
  const env = {
    HOME: dir,
    XDG_RUNTIME_DIR: join(dir, 'run'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_DATA_HOME: join(dir, 'data'),
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  };
  const daemon: ChildProcess = spawn(LIBVIRTD, ['--timeout', '600'], {
    uid: NOBODY,
    gid: NOBODY,
    env,
    cwd: dir,
    stdio: 'ignore',
  });
  const socket = join(dir, 'run/libvirt/libvirt-sock');
  const uri = `qemu+unix:///session?socket=${socket}`;
  const virsh = (args: string[]): VirshResult => {
    const r = spawnSync('virsh', ['-q', '-c', uri, ...args], {
      uid: NOBODY,
      gid: NOBODY,
      env,
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const stop = async () => {
    // session domains outlive their daemon: end the ones this test left running first
    for (const name of virsh(['list', '--name']).stdout.split('\n').filter(Boolean)) virsh(['destroy', name]);
    if (daemon.exitCode === null && daemon.pid) {
      const gone = new Promise((res) => daemon.once('exit', res));
      process.kill(daemon.pid, 'SIGTERM');
      await Promise.race([gone, new Promise((res) => setTimeout(res, 10_000))]);
      if (daemon.exitCode === null && daemon.signalCode === null) process.kill(daemon.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !(existsSync(socket) && virsh(['version']).code === 0); i++)
    await new Promise((res) => setTimeout(res, 200));
  if (virsh(['version']).code !== 0) {
    await stop();
    throw new Error('the session libvirtd did not come up');
  }
  return { uri, dir, virsh, stop };
}
