/**
 * A writer for the cpio "newc" (SVR4, no CRC) format: the one the Linux kernel unpacks as an initramfs.
 * Output is deterministic (fixed mtime, inodes numbered in entry order, uid/gid 0) so the same
 * inputs always give the same bytes.
 */

export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Uint8Array | string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

export interface CpioOptions {
  /** Seconds since the epoch stamped on every entry (default 0) */
  mtime?: number;
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const MAGIC = '070701';
const TRAILER = 'TRAILER!!!';

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new Error(`cpio: field value ${n} does not fit in 32 bits`);
  return n.toString(16).padStart(8, '0');
}

/** Header + NUL-terminated name, padded so the data starts on a 4-byte boundary. */
function header(
  name: string,
  fields: { ino: number; mode: number; nlink: number; mtime: number; size: number },
): Buffer {
  const nameBytes = Buffer.from(name + '\0', 'utf8');
  const text =
    MAGIC +
    hex8(fields.ino) +
    hex8(fields.mode) +
    hex8(0) + // uid
    hex8(0) + // gid
    hex8(fields.nlink) +
    hex8(fields.mtime) +
    hex8(fields.size) +
    hex8(0) + // devmajor
    hex8(0) + // devminor
    hex8(0) + // rdevmajor
    hex8(0) + // rdevminor
    hex8(nameBytes.length) +
    hex8(0); // check (unused in newc)
  return Buffer.concat([Buffer.from(text, 'ascii'), nameBytes, pad(110 + nameBytes.length)]);
}

function pad(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

/** Archive paths are relative ("bin/sh"): the kernel unpacks them into the rootfs as given. */
function checkPath(path: string): void {
  if (!path || path.startsWith('/') || path.endsWith('/'))
    throw new Error(`cpio: bad path "${path}" (want relative, like "bin/sh")`);
  if (path.split('/').some((p) => p === '' || p === '.' || p === '..')) throw new Error(`cpio: bad path "${path}"`);
}

function parentOf(path: string): string | null {
  const i = path.lastIndexOf('/');
  return i < 0 ? null : path.slice(0, i);
}

/**
 * The archive for `entries`, in the given order, ending with the TRAILER!!! record.
 * Parents must come before their children: the kernel's unpacker does not create missing directories.
 */
export function cpioNewc(entries: readonly CpioEntry[], options: CpioOptions = {}): Buffer {
  const mtime = options.mtime ?? 0;
  const seen = new Map<string, CpioEntry['type']>();
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    checkPath(e.path);
    if (seen.has(e.path)) throw new Error(`cpio: duplicate path "${e.path}"`);
    const parent = parentOf(e.path);
    if (parent !== null && seen.get(parent) !== 'dir')
      throw new Error(`cpio: "${e.path}" comes before its directory "${parent}"`);
    seen.set(e.path, e.type);

    let mode: number;
    let data: Buffer;
    if (e.type === 'dir') {
      mode = S_IFDIR | ((e.mode ?? 0o755) & 0o7777);
      data = Buffer.alloc(0);
    } else if (e.type === 'file') {
      mode = S_IFREG | ((e.mode ?? 0o644) & 0o7777);
      data =
        typeof e.data === 'string'
          ? Buffer.from(e.data, 'utf8')
          : Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    } else {
      if (!e.target) throw new Error(`cpio: symlink "${e.path}" has an empty target`);
      mode = S_IFLNK | 0o777;
      data = Buffer.from(e.target, 'utf8');
    }
    parts.push(
      header(e.path, { ino: ino++, mode, nlink: e.type === 'dir' ? 2 : 1, mtime, size: data.length }),
      data,
      pad(data.length),
    );
  }
  parts.push(header(TRAILER, { ino: 0, mode: 0, nlink: 1, mtime: 0, size: 0 }));
  return Buffer.concat(parts);
}
