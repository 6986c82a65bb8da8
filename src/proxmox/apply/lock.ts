/**
 * Exclusive locks around a read-merge-write of one config file.
 *
 * On Proxmox's cluster filesystem we take the very lock Proxmox's own writers take, with its
 * semantics: qemu-server's CPUConfig.pm wraps every cpu-models.conf edit in
 * `cfs_lock_file('virtual-guest/cpu-models.conf', ...)`, and pve-cluster's src/PVE/Cluster.pm
 * (commit 7091d92e, 9.1.6: `cfs_lock_file` and the `$cfs_lock` closure above it) turns that into
 * `mkdir /etc/pve/priv/lock/file-virtual-guest_cpu-models_conf` (lock id "file-" plus the path with
 * every '.' and '/' made '_'), retried for 10 s by default with sleeps of at most a second, with
 * `utime(0, 0)` on the existing directory as pmxcfs's "release it if expired" request, and `rmdir`
 * to unlock. The directory carries no owner: pmxcfs itself expires a lock 120 s after it was taken
 * (src/pmxcfs/memdb.c, CFS_LOCK_TIMEOUT and memdb_lock_expired), so we never break one ourselves.
 * pmxcfs makes mkdir cluster-wide atomic; its O_EXCL creates are not, so a lock file would not do there.
 *
 * Anywhere else: a lock file beside the real file (`FILE.lock`) naming its owner (pid, host, boot
 * id, start time; src/fs/lock-owner.ts). It comes into existence with its content (written to a
 * temp file, then hard-linked to the lock's name, which fails if the lock exists), so an empty or
 * unreadable lock is never a live holder's: one whose owner is dead is taken over at once, an ownerless
 * one after a second.
 * Another host's lock (a shared filesystem) is broken only when older than STALE_MS.
 */
import { link, mkdir, open, readFile, rename, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BusyError, WriteError, describeWriteErrno, isWriteErrno } from '../../errors.js';
import { currentOwner, formatOwner, ownerState, parseOwner } from '../../fs/lock-owner.js';
import { tempNameFor } from '../../fs/output-file.js';

export const DEFAULT_PVE_ROOT = '/etc/pve';
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Nothing holds our lock for more than a few milliseconds; another host's minute-old one was left by a crash. */
const STALE_MS = 60_000;
/** Only a writer between creating a lock in place and writing its owner leaves it ownerless for a moment. */
const OWNERLESS_GRACE_MS = 1000;

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
  const release = pveLock
    ? await takePveLock(pveLock, timeoutMs)
    : await takeLockFile(`${realFile}.lock`, realFile, timeoutMs);
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
  await mkdir(dirname(dir), { recursive: true }).catch(() => undefined);
  for (;;) {
    try {
      await mkdir(dir);
      return () => rmdir(dir).catch(() => undefined);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // cfs_lock: "pve cluster filesystem not online" when the lock directory cannot be made
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new WriteError(dir, 'cannot create the lock (is the Proxmox cluster filesystem online?)');
      if (code !== 'EEXIST') throw lockWriteError(dir, e);
    }
    if (Date.now() >= deadline) throw busy(dir, timeoutMs);
    await utimes(dir, 0, 0).catch(() => undefined); // pmxcfs: release it if it has expired
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
  }
}

async function takeLockFile(lockPath: string, file: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  const owner = formatOwner(currentOwner());
  let pause = 5;
  for (;;) {
    if (await createWithContent(lockPath, owner, file)) {
      // Release only our own lock: if it was judged stale and taken over meanwhile, it is not ours
      return async () => {
        if ((await readFile(lockPath, 'utf8').catch(() => null)) === owner)
          await unlink(lockPath).catch(() => undefined);
      };
    }
    if (await breakIfStale(lockPath)) continue;
    if (Date.now() >= deadline) throw busy(lockPath, timeoutMs);
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())) + Math.random() * 5);
    pause = Math.min(pause * 2, 200);
  }
}

/**
 * Creates `lockPath` holding `content`, or returns false when it exists. The content is in place
 * before the name appears (temp file, then link), so nobody ever sees an empty lock of ours.
 */
async function createWithContent(lockPath: string, content: string, file: string): Promise<boolean> {
  const tmp = tempNameFor(lockPath);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    await link(tmp, lockPath);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A filesystem without hard links: create it in place (a crash in between leaves an empty lock, taken over)
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createInPlace(lockPath, content, file);
    throw lockWriteError(lockPath, e, file);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function createInPlace(lockPath: string, content: string, file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(lockPath, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockWriteError(lockPath, e, file);
  }
  try {
    await fh.writeFile(content);
  } catch (e) {
    await unlink(lockPath).catch(() => undefined);
    throw lockWriteError(lockPath, e, file);
  } finally {
    await fh.close();
  }
  return true;
}

/** A full disk or a read-only filesystem while locking: one line naming the file; nothing was written. */
function lockWriteError(lockPath: string, e: unknown, file?: string): Error {
  if (!isWriteErrno(e)) return e as Error;
  return new WriteError(
    file ?? lockPath,
    `cannot create the lock ${lockPath}: ${describeWriteErrno(e)}; nothing written`,
  );
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

/**
 * A dead owner's lock is stale now; one naming no owner (empty, cut off: a crash or a full disk
 * while an older migratable, or one on a filesystem without hard links, wrote it) once it is a
 * second old; another host's after STALE_MS.
 */
function isStale(content: string, mtimeMs: number): boolean {
  const owner = parseOwner(content);
  if (!owner) return Date.now() - mtimeMs > OWNERLESS_GRACE_MS;
  const state = ownerState(owner);
  if (state === 'unknown') return Date.now() - mtimeMs > STALE_MS;
  return state === 'dead';
}

function busy(what: string, timeoutMs: number): BusyError {
  return new BusyError(what, `locked by another writer for over ${Math.round(timeoutMs / 1000)} s; nothing written`);
}
