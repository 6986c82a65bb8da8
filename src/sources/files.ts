/** Node-only: reads profile inputs from files, directories and stdin. */
import { readFileSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { hostNameFromPath, readProfilesFromText, uniqueNames, type ReadContext } from './index.js';

/** Larger inputs are refused before reading: no host description comes near this. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export function readInputText(path: string): string {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(1 << 16);
    for (;;) {
      let n: number;
      try {
        n = readSync(0, buf);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_INPUT_BYTES)
        throw new InputError('-', `input larger than ${MAX_INPUT_BYTES >> 20} MiB; expected host CPU data`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new InputError(path, 'no such file or directory');
  }
  if (size > MAX_INPUT_BYTES)
    throw new InputError(
      path,
      `file is ${Math.round(size / 1048576)} MiB; expected host CPU data (at most ${MAX_INPUT_BYTES >> 20} MiB)`,
    );
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(path, `cannot read: ${(e as Error).message}`);
  }
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
        if (statSync(p).isFile())
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
