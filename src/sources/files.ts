/** Node-only: reads profile inputs from files, directories and stdin. */
import { realpathSync, readdirSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
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

/** Files, directories (every regular file inside, sorted) and "-" for stdin. */
export function readProfileInputs(paths: string[], ctx: ReadContext = {}): HostProfile[] {
  const out: HostProfile[] = [];
  for (const path of paths) {
    if (path !== '-' && isDirectory(path)) {
      // Hidden files and notes (README, *.md) sit beside host data in real directories
      const files = readdirSync(path)
        .filter((f) => !f.startsWith('.') && !/^readme|\.md$/i.test(f))
        .sort();
      if (!files.length) throw new InputError(path, 'directory has no files; expected host CPU data files');
      for (const f of files) {
        const p = join(path, f);
        if (isRegularFile(p))
          out.push(...readProfilesFromText(readInputText(p), p, hostNameFromPath(f), contextFor(p, ctx)));
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

/** Entries of an input folder: a dangling or looping symlink is bad input, named, not a crash. */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (e) {
    throw new InputError(path, `cannot read: ${describeFsError(e)}`);
  }
}
