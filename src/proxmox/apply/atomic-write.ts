/**
 * Replace a file so readers see either the old or the new content, never a mix:
 * temp file in the same directory (rename is only atomic within one filesystem),
 * fsync, rename over the target, fsync the directory. The same way PVE's own
 * file_set_contents writes into /etc/pve.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits for the new file, set exactly (not through the umask) */
  mode?: number;
  /** Owner to give the new file (kept from the file it replaces) */
  uid?: number;
  gid?: number;
  /** Called after the temp file is durable and before the rename; throw to abort. */
  beforeRename?: () => Promise<void>;
}

/** Temp names start with the target's name so a stray one is easy to attribute. */
export function tempNameFor(file: string): string {
  return join(dirname(file), `${basename(file)}.tmp.${process.pid}.${randomBytes(4).toString('hex')}`);
}

export async function writeFileAtomic(file: string, data: string, opts: AtomicWriteOptions = {}): Promise<void> {
  const tmp = tempNameFor(file);
  const fh = await open(tmp, 'wx', opts.mode ?? 0o644);
  let renamed = false;
  try {
    try {
      await keepOwnership(fh, opts);
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.();
    await rename(tmp, file);
    renamed = true;
    await syncDir(dirname(file));
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

// Makes the rename itself durable; some filesystems (FUSE, e.g. pmxcfs) refuse to fsync a directory.
async function syncDir(dir: string): Promise<void> {
  let dh;
  try {
    dh = await open(dir, 'r');
    await dh.sync();
  } catch {
    /* best effort */
  } finally {
    await dh?.close().catch(() => undefined);
  }
}

// pmxcfs has no per-file modes or owners and refuses to set them: that is fine there.
async function keepOwnership(fh: FileHandle, opts: AtomicWriteOptions): Promise<void> {
  const ignore = (e: NodeJS.ErrnoException) => {
    if (!['EPERM', 'ENOSYS', 'ENOTSUP', 'EOPNOTSUPP'].includes(e.code ?? '')) throw e;
  };
  if (opts.uid !== undefined && opts.gid !== undefined) await fh.chown(opts.uid, opts.gid).catch(ignore);
  await fh.chmod(opts.mode ?? 0o644).catch(ignore);
}
