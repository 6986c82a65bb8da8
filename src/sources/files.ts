/** Node-only: reads profile inputs from files, directories and stdin. */
import { realpathSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { release } from 'node:os';
import { join, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { describeFsError, readBounded } from './bounded-read.js';
import { hostNameFromPath, readProfilesFromText, uniqueNames, type ReadContext } from './index.js';
import { HOST_DATA_INPUT, type InputKind } from './size-caps.js';

/** A FIFO, stdin or process substitution that has not ended by then is refused. */
export const INPUT_TIMEOUT_MS = 10_000;

/**
 * One input file, bounded by what it should be (size-caps.ts): larger inputs are refused with an
 * error that names the kind expected (each host format has a smaller cap once recognized).
 */
export function readInputText(path: string, kind: InputKind = HOST_DATA_INPUT): string {
  return readBounded(path, path, { maxBytes: kind.maxBytes, expected: kind.expected, timeoutMs: INPUT_TIMEOUT_MS });
}

/** This machine's own /proc/cpuinfo is judged for the running kernel. */
function contextFor(path: string, ctx: ReadContext): ReadContext {
  if (ctx.kernel || path === '-') return ctx;
  try {
    return realpathSync(path) === '/proc/cpuinfo' ? { ...ctx, kernel: release() } : ctx;
  } catch {
    return ctx;
  }
}

/**
 * The same for an entry of an input folder, without resolving every path: only a symlink, or a file
 * named cpuinfo in a folder that is (or links to) /proc, can be /proc/cpuinfo.
 */
function entryContext(path: string, entry: Dirent, ctx: ReadContext): ReadContext {
  return entry.isSymbolicLink() || entry.name === 'cpuinfo' ? contextFor(path, ctx) : ctx;
}

/** Files, directories (every regular file inside, sorted) and "-" for stdin. */
export function readProfileInputs(paths: string[], ctx: ReadContext = {}): HostProfile[] {
  const out: HostProfile[] = [];
  for (const path of paths) {
    if (path !== '-' && isDirectory(path)) {
      // Hidden files and notes (README, *.md) sit beside host data in real directories
      const entries = readdirSync(path, { withFileTypes: true })
        .filter((e) => !e.name.startsWith('.') && !/^readme|\.md$/i.test(e.name))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (!entries.length) throw new InputError(path, 'directory has no files; expected host CPU data files');
      // join() normalizes the folder's part alike for every entry (a name is one segment, never . or ..):
      // done once, not thousands of times
      const folder = join(path, '.');
      const prefix = folder === '.' ? '' : folder.endsWith(sep) ? folder : folder + sep;
      for (const e of entries) {
        const p = prefix + e.name;
        if (isRegularFile(p, e))
          out.push(...readProfilesFromText(readInputText(p), p, hostNameFromPath(e.name), entryContext(p, e, ctx)));
      }
    } else
      out.push(
        ...readProfilesFromText(
          readInputText(path),
          path,
          path === '-' ? 'stdin' : hostNameFromPath(path),
          contextFor(path, ctx),
        ),
      );
  }
  return uniqueNames(out);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Entries of an input folder: the folder listing says what most are (no stat per file); a symlink is
 * followed, and a dangling or looping one is bad input, named, not a crash.
 */
function isRegularFile(path: string, entry: Dirent): boolean {
  if (entry.isFile()) return true;
  // Known non-files (folders, FIFOs, sockets, devices) are skipped; symlinks and unknown types are asked
  if (
    !entry.isSymbolicLink() &&
    (entry.isDirectory() || entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice())
  )
    return false;
  try {
    return statSync(path).isFile();
  } catch (e) {
    throw new InputError(path, `cannot read: ${describeFsError(e)}`);
  }
}
