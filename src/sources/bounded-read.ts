/**
 * Node-only: reads one input bounded in bytes and in time, whatever it is: a regular file, stdin,
 * a FIFO, a character device (/dev/zero), a process substitution (/dev/fd/63).
 *
 * Non-regular inputs are opened non-blocking, so opening a FIFO nobody writes to returns at once
 * and reads never hang: the loop polls until data ends, the byte cap is passed or the deadline comes.
 * Every input is text, so a NUL byte ends the read at once (/dev/zero is refused in microseconds).
 */
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import { InputError } from '../errors.js';

export interface BoundedReadOptions {
  maxBytes: number;
  /** What the input should be, named in errors ("host CPU data", "a Proxmox VM config") */
  expected?: string;
  /** For anything but a regular file: give up when no end of data came by then. */
  timeoutMs: number;
}

const CHUNK = 1 << 16;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

const OPEN_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ELOOP: 'symlink loop',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENXIO: 'no reader or device behind it',
};

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return OPEN_ERRORS[code] ?? (code || (e as Error).message);
}

/** `path` "-" is stdin. `where` names the input in errors. */
export function readBounded(path: string, where: string, opts: BoundedReadOptions): string {
  const fd = openInput(path, where);
  try {
    const small = fd.close ? readSmallFile(fd.fd, where, opts) : null;
    if (small !== null) return small;
    const st = describeInput(fd, where);
    if (st.size > opts.maxBytes) throw tooBig(where, opts);
    return readAll(fd.fd, st.regular ? st.size : null, st.regular || endsAtZero(path, fd.fd), where, opts);
  } finally {
    if (fd.close) closeSync(fd.fd);
  }
}

function openInput(path: string, where: string): { fd: number; close: boolean } {
  // /dev/stdin opens a fresh description of the same pipe or file, so O_NONBLOCK is ours to set;
  // a socket cannot be reopened that way, so then we read fd 0 as it is.
  const name = path === '-' ? '/dev/stdin' : path;
  try {
    return { fd: openSync(name, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY), close: true };
  } catch (e) {
    if (path === '-') return { fd: 0, close: false };
    throw new InputError(where, `cannot read: ${describeFsError(e)}`);
  }
}

/** What the input is: a directory is refused; a regular file's size is known before reading it. */
function describeInput(fd: { fd: number; close: boolean }, where: string): { regular: boolean; size: number } {
  if (!fd.close) return { regular: false, size: 0 };
  const st = fstatSync(fd.fd);
  if (st.isDirectory()) throw new InputError(where, 'is a directory; expected a file');
  return { regular: st.isFile(), size: st.isFile() ? st.size : 0 };
}

/**
 * One buffer for every read: an input folder of thousands of small files would otherwise allocate
 * (and collect) a fresh 64 KiB per read. Reads are synchronous, so nothing else uses it meanwhile.
 */
const scratch = Buffer.allocUnsafe(CHUNK);

/**
 * The common case, an input folder of thousands of small files, without fstat (whose Stats object
 * with its four Dates cost more than the system call): a positioned read of the whole buffer that
 * returns less than the buffer, then one at that offset that returns nothing, is a file read to its
 * end, whatever it is (a /proc file returns its next page there instead). Its text, or null for
 * anything else: a FIFO or terminal (no positioned reads), a directory, a device or a file that
 * fills the buffer, an empty one (a FIFO reads empty too). Then the full path takes over: fstat,
 * the byte cap and the deadline; these reads did not move the file offset.
 */
function readSmallFile(fd: number, where: string, opts: BoundedReadOptions): string | null {
  let n: number;
  try {
    n = readSync(fd, scratch, 0, CHUNK, 0);
    if (n <= 0 || n >= CHUNK || readSync(fd, scratch, n, 1, n) !== 0) return null;
  } catch {
    return null;
  }
  if (n > opts.maxBytes) throw tooBig(where, opts);
  const text = scratch.toString('utf8', 0, n);
  // UTF-8 decodes a NUL byte, and only a NUL byte, to U+0000
  if (text.includes('\u0000')) throw new InputError(where, `binary data, not text${expecting(opts)}`);
  return text;
}

/**
 * Whether a read of 0 bytes is the end of the data. Only a named FIFO we opened ourselves can be
 * empty because its writer has not come yet; stdin, a process substitution (<(...)) and every other
 * anonymous pipe had their writer from the start, and a device such as /dev/null has no writer at
 * all: empty stdin is refused at once, not after the timeout.
 */
function endsAtZero(path: string, fd: number): boolean {
  if (path === '-') return true;
  try {
    const st = fstatSync(fd);
    if (!st.isFIFO()) return !st.isSocket();
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith('pipe:');
  } catch {
    return false;
  }
}

/** `size`: a regular file's size as fstat saw it (null for anything else); `endsAtZero`: see endsAtZero. */
function readAll(
  fd: number,
  size: number | null,
  endsAtZero: boolean,
  where: string,
  opts: BoundedReadOptions,
): string {
  const deadline = Date.now() + opts.timeoutMs;
  // Data beyond the scratch buffer, copied out; most inputs fit in it and are decoded from it directly
  const chunks: Buffer[] = [];
  let held = 0;
  let total = 0;
  let pause = 1;
  for (;;) {
    let n: number;
    const room = CHUNK - held;
    try {
      n = readSync(fd, scratch, held, room, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK')
        throw new InputError(where, `cannot read: ${describeFsError(e)}`);
      n = -1;
    }
    // A named FIFO reads 0 both before its writer comes and after it leaves: before any data, keep waiting.
    if (n === 0 && (endsAtZero || total > 0)) break;
    if (n > 0) {
      if (scratch.subarray(held, held + n).includes(0))
        throw new InputError(where, `binary data, not text${expecting(opts)}`);
      total += n;
      if (total > opts.maxBytes) throw tooBig(where, opts);
      held += n;
      if (held === CHUNK) {
        chunks.push(Buffer.from(scratch));
        held = 0;
      }
      // A short read that brings a regular file to the size fstat gave is its end: no read to see 0
      // (files in /proc say size 0 and return a page per read, so they are read to the 0)
      if (size && total === size && n < room) break;
      pause = 1;
      continue;
    }
    if (Date.now() >= deadline)
      throw new InputError(
        where,
        total
          ? `input did not end within ${opts.timeoutMs / 1000} s${expecting(opts)}`
          : `no data within ${opts.timeoutMs / 1000} s (nothing writing to it?)${expecting(opts)}`,
      );
    sleepSync(pause);
    pause = Math.min(pause * 2, 50);
  }
  if (!chunks.length) return scratch.toString('utf8', 0, held);
  chunks.push(Buffer.from(scratch.subarray(0, held)));
  return Buffer.concat(chunks, total).toString('utf8');
}

const expecting = (opts: BoundedReadOptions) => (opts.expected ? `; expected ${opts.expected}` : '');

function tooBig(where: string, opts: BoundedReadOptions): InputError {
  const size = opts.maxBytes >= 1048576 ? `${Math.round(opts.maxBytes / 1048576)} MiB` : `${opts.maxBytes >> 10} KiB`;
  return new InputError(where, `input larger than ${size}${expecting(opts)}`);
}
