/** An error about one place: the message starts with it. */
class PlacedError extends Error {
  constructor(
    /** The file (or "-" for stdin, or an argument name) the problem is in */
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = new.target.name;
  }
}

/** Bad user input: the CLI prints the message as one line and exits 2. */
export class InputError extends PlacedError {}

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_BAD_INPUT = 2;

/** Another writer holds the file, or changed it while we wrote: the input was fine, run again. Exit 3. */
export class BusyError extends PlacedError {}
export const EXIT_BUSY = 3;

/**
 * The system refused a write (a full disk, a read-only filesystem, a quota): the input was fine, the
 * file named keeps its old content. Exit 1.
 */
export class WriteError extends PlacedError {}

const WRITE_ERRNO: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EFBIG: 'file too large',
};

/** The errno behind a failed write, as words and code: "no space left on device (ENOSPC)". */
export function describeWriteErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && WRITE_ERRNO[code]) return `${WRITE_ERRNO[code]} (${code})`;
  return code ?? messageOf(e);
}

/** True for the errno failures a write can meet on a healthy system (full, read-only, quota, permission). */
export function isWriteErrno(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return !!code && code in WRITE_ERRNO;
}

/** What was thrown, as text: an Error's message, anything else stringified. */
function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The first line of what was thrown: readers' messages are one-liners with the input named first. */
export function errorLine(e: unknown): string {
  return messageOf(e).split('\n')[0];
}

/**
 * What was thrown, squeezed into one line of at most `max` characters: for parsers whose messages quote
 * the input, newlines and all (JSON.parse, XML), where the first line alone would lose the position.
 */
export function errorInOneLine(e: unknown, max = 200): string {
  return messageOf(e).replace(/\s+/g, ' ').slice(0, max);
}
