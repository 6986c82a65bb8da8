/**
 * Exclusive locks around a read-merge-write of one config file.
 *
 * On Proxmox's cluster filesystem we take the very lock Proxmox's own writers take:
 * qemu-server's CPUConfig.pm wraps every cpu-models.conf edit in
 * `cfs_lock_file('virtual-guest/cpu-models.conf', ...)`, and pve-cluster's PVE/Cluster.pm turns
 * that into `mkdir /etc/pve/priv/lock/file-virtual-guest_cpu-models_conf` (lock id "file-" plus
 * the path with every '.' and '/' made '_'), retried once a second for 10 s by default, with
 * `utime(0, 0)` on the existing directory as pmxcfs's "release it if expired" request (pmxcfs
 * expires such locks after 120 s), and `rmdir` to unlock. pmxcfs makes mkdir cluster-wide atomic;
 * its O_EXCL creates are not atomic, so a lock file would not do there.
 *
 * Anywhere else: an O_EXCL lock file beside the real file (`FILE.lock`, holding pid and host),
 * broken only when its process is gone or it is older than STALE_MS.
 */
import { hostname } from 'node:os';
import { link, mkdir, open, readFile, rename, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BusyError } from '../../errors.js';

export const DEFAULT_PVE_ROOT = '/etc/pve';
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Nothing holds our lock for more than a few milliseconds; a minute-old one was left by a crash. */
const STALE_MS = 60_000;

export interface LockOptions {
  /** Give up (BusyError) after this long; default 10 s, as cfs_lock_file */
  timeoutMs?: number;
  /** Where the Proxmox cluster filesystem is mounted (tests point it elsewhere) */
  pveRoot?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pmxcfs lock directory for a file under pveRoot, or null when the file is not there. */
export function pveLockDirFor(realFile: string, pveRoot = DEFAULT_PVE_ROOT): string | null {
  const rel = relative(pveRoot, realFile);
  if (!rel || rel.startsWith('..') || rel.startsWith(sep)) return null;
  return `${pveRoot}/priv/lock/file-${rel.split(sep).join('/').replace(/[./]/g, '_')}`;
}

/** Runs `fn` holding the lock for `realFile` (a path with symlinks already resolved). */
export async function withFileLock<T>(realFile: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const pveLock = pveLockDirFor(realFile, opts.pveRoot);
  const release = pveLock ? await takePveLock(pveLock, timeoutMs) : await takeLockFile(`${realFile}.lock`, timeoutMs);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Runs `fn` holding pve-cluster's domain lock `NAME` (Cluster.pm cfs_lock_domain: the same mkdir lock,
 * `priv/lock/domain-NAME`); pve-ha-manager's Config.pm lock_ha_domain takes "ha" for every HA config write.
 */
export async function withPveDomainLock<T>(domain: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const root = opts.pveRoot ?? DEFAULT_PVE_ROOT;
  const release = await takePveLock(`${root}/priv/lock/domain-${domain}`, opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function takePveLock(dir: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(dir.slice(0, dir.lastIndexOf('/')), { recursive: true }).catch(() => undefined);
  for (;;) {
    try {
      await mkdir(dir);
      return () => rmdir(dir).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (Date.now() >= deadline) throw busy(dir, timeoutMs);
    await utimes(dir, 0, 0).catch(() => undefined); // pmxcfs: release it if it has expired
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
  }
}

async function takeLockFile(lockPath: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  const owner = `${process.pid}@${hostname()}`;
  let pause = 5;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      await fh.writeFile(`${owner}\n`);
      await fh.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (await breakIfStale(lockPath)) continue;
    if (Date.now() >= deadline) throw busy(lockPath, timeoutMs);
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())) + Math.random() * 5);
    pause = Math.min(pause * 2, 200);
  }
}

/** Removes a lock whose holder is gone. Renaming first makes sure we remove the lock we judged. */
async function breakIfStale(lockPath: string): Promise<boolean> {
  let content: string;
  let mtimeMs: number;
  try {
    content = await readFile(lockPath, 'utf8');
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch {
    return true; // released meanwhile: try again at once
  }
  if (!isStale(content, mtimeMs)) return false;
  const aside = `${lockPath}.stale.${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return true;
  }
  // Someone replaced the stale lock between our read and the rename: put theirs back.
  if ((await readFile(aside, 'utf8').catch(() => '')) !== content) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return true;
}

function isStale(content: string, mtimeMs: number): boolean {
  if (Date.now() - mtimeMs > STALE_MS) return true;
  const m = /^(\d+)@(.*)$/m.exec(content);
  if (!m || m[2] !== hostname()) return false; // being written just now, or another machine's
  try {
    process.kill(Number(m[1]), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function busy(what: string, timeoutMs: number): BusyError {
  return new BusyError(what, `locked by another writer for over ${Math.round(timeoutMs / 1000)} s; nothing written`);
}
