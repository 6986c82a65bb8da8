/**
 * The one way migratable creates or replaces a file (the CLI's -o, plan --write-models, apply and
 * its .bak), because it often runs as root in directories others can write to:
 *
 * - a symlink, or anything but a regular file, where the file should be is refused, never followed
 *   (a link planted in an output directory would otherwise make root overwrite its target);
 * - the content goes into a temp file created with O_EXCL|O_NOFOLLOW beside the file (rename is
 *   atomic only within one filesystem), is fsynced, and is renamed over the name; the directory is
 *   fsynced after. Readers see the old or the new content, never a mix, and a link swapped in
 *   meanwhile is replaced, not followed;
 * - owner and mode are decided here: the caller's when given (apply keeps cpu-models.conf's own);
 *   otherwise the new file belongs to whoever runs migratable, with the replaced file's permission
 *   bits (or 0666) less the umask, so a planted group- or world-writable file does not stay writable;
 * - a failed write (full disk, read-only filesystem, quota) is a WriteError naming the file; the old
 *   content stays and no temp file is left behind.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, WriteError, describeWriteErrno } from '../errors.js';

export interface OutputFileOptions {
  /** Permission bits, set exactly (not through the umask) */
  mode?: number;
  /** Owner to give the file; both or neither */
  uid?: number;
  gid?: number;
}

/** Content that is durable in a temp file beside its name, waiting to be renamed over it. */
export interface StagedFile {
  readonly file: string;
  readonly tmp: string;
  /** Renames the temp file over the name (then fsyncs the directory). */
  commit(): void;
  /** Removes the temp file; safe to call after commit or twice. */
  discard(): void;
}

/** Temp names start with the target's name so a stray one is easy to attribute. */
export function tempNameFor(file: string): string {
  return join(dirname(file), `${basename(file)}.tmp.${process.pid}.${randomBytes(4).toString('hex')}`);
}

const writeError = (file: string, e: unknown) =>
  e instanceof InputError || e instanceof WriteError
    ? e
    : new WriteError(file, `cannot write: ${describeWriteErrno(e)}; nothing written`);

/** What is at `file` now: nothing, or a regular file (its mode); anything else is refused. */
function existingMode(file: string): number | null {
  let st;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw writeError(file, e);
  }
  if (st.isSymbolicLink())
    throw new InputError(file, 'is a symlink; migratable does not write through links (name the real file)');
  if (!st.isFile()) throw new InputError(file, 'exists and is not a regular file; refusing to replace it');
  return st.mode & 0o777;
}

// pmxcfs (/etc/pve) has no per-file modes or owners and refuses to set them: that is fine there.
const UNSUPPORTED = new Set(['EPERM', 'ENOSYS', 'ENOTSUP', 'EOPNOTSUPP']);
function tolerant(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
}

/** Writes `data` into a fresh temp file beside `file`; nothing at `file` changes until commit(). */
export function stageOutputFile(file: string, data: string | Uint8Array, opts: OutputFileOptions = {}): StagedFile {
  const previous = existingMode(file);
  const tmp = tempNameFor(file);
  let fd: number;
  try {
    // Without an explicit mode the kernel applies the umask to the one we create with
    const createMode = opts.mode === undefined ? (previous ?? 0o666) : 0o600;
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, createMode);
  } catch (e) {
    throw writeError(file, e);
  }
  let live = true;
  const discard = () => {
    if (!live) return;
    live = false;
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  };
  try {
    try {
      if (opts.uid !== undefined && opts.gid !== undefined) tolerant(() => fchownSync(fd, opts.uid!, opts.gid!));
      if (opts.mode !== undefined) tolerant(() => fchmodSync(fd, opts.mode!));
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    discard();
    throw writeError(file, e);
  }
  return {
    file,
    tmp,
    commit() {
      if (!live) throw new Error(`${tmp}: already committed or discarded`);
      try {
        renameSync(tmp, file);
      } catch (e) {
        discard();
        throw writeError(file, e);
      }
      live = false;
      syncDir(dirname(file));
    },
    discard,
  };
}

/** Creates or replaces `file` with `data` (see the module comment for what is refused and kept). */
export function writeOutputFile(file: string, data: string | Uint8Array, opts: OutputFileOptions = {}): void {
  stageOutputFile(file, data, opts).commit();
}

// Makes the rename itself durable; some filesystems (FUSE, e.g. pmxcfs) refuse to fsync a directory.
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
