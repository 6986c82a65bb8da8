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
    if (fd.size > opts.maxBytes) throw tooBig(where, opts);
    return readAll(fd.fd, fd.regular || endsAtZero(path, fd.fd), where, opts);
  } finally {
    if (fd.close) closeSync(fd.fd);
  }
}

function openInput(path: string, where: string): { fd: number; regular: boolean; size: number; close: boolean } {
  // /dev/stdin opens a fresh description of the same pipe or file, so O_NONBLOCK is ours to set;
  // a socket cannot be reopened that way, so then we read fd 0 as it is.
  const name = path === '-' ? '/dev/stdin' : path;
  let fd: number;
  try {
    fd = openSync(name, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    if (path === '-') return { fd: 0, regular: false, size: 0, close: false };
    throw new InputError(where, `cannot read: ${describeFsError(e)}`);
  }
  const st = fstatSync(fd);
  if (st.isDirectory()) {
    closeSync(fd);
    throw new InputError(where, 'is a directory; expected a file');
  }
  return { fd, regular: st.isFile(), size: st.isFile() ? st.size : 0, close: true };
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

function readAll(fd: number, endsAtZero: boolean, where: string, opts: BoundedReadOptions): string {
  const deadline = Date.now() + opts.timeoutMs;
  const chunks: Buffer[] = [];
  let total = 0;
  let pause = 1;
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK);
    let n: number;
    try {
      n = readSync(fd, buf, 0, CHUNK, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK')
        throw new InputError(where, `cannot read: ${describeFsError(e)}`);
      n = -1;
    }
    // A named FIFO reads 0 both before its writer comes and after it leaves: before any data, keep waiting.
    if (n === 0 && (endsAtZero || total > 0)) break;
    if (n > 0) {
      if (buf.subarray(0, n).includes(0)) throw new InputError(where, `binary data, not text${expecting(opts)}`);
      total += n;
      if (total > opts.maxBytes) throw tooBig(where, opts);
      chunks.push(buf.subarray(0, n));
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
  return Buffer.concat(chunks, total).toString('utf8');
}

const expecting = (opts: BoundedReadOptions) => (opts.expected ? `; expected ${opts.expected}` : '');

function tooBig(where: string, opts: BoundedReadOptions): InputError {
  const size = opts.maxBytes >= 1048576 ? `${Math.round(opts.maxBytes / 1048576)} MiB` : `${opts.maxBytes >> 10} KiB`;
  return new InputError(where, `input larger than ${size}${expecting(opts)}`);
}
