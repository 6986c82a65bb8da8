import { writeOutputFile } from '../fs/output-file.js';
import { safeText } from '../safe-text.js';

/**
 * Prints to stdout or writes a file (the CLI's -o: atomically, never through a link); control
 * characters from host data are shown escaped. `escaped`: the text was escaped where it was made
 * (safeJson, which leaves nothing safeText would change: test/json-output.test.ts), so the second
 * pass over it, 8 MB for 4,000 hosts' JSON, is skipped.
 */
export function output(text: string, file?: string, escaped = false): void {
  const whole = text.endsWith('\n') ? text : text + '\n';
  const body = escaped ? whole : safeText(whole);
  if (file && file !== '-') writeOutputFile(file, body);
  else for (const part of pieces(body)) process.stdout.write(part);
}

const PIECE = 1 << 20;

/**
 * A long text in pieces of about 1 MiB (never between the halves of a surrogate pair): stdout
 * (a file, a pipe or a terminal: written synchronously) then converts one piece at a time to bytes
 * instead of a copy of, for 40,000 hosts' JSON, some 40 MB at once.
 */
export function* pieces(text: string): Generator<string> {
  for (let i = 0; i < text.length;) {
    let end = Math.min(i + PIECE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(i, end);
    i = end;
  }
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A status line on stderr, sanitized like output(). */
export function notice(text: string): void {
  process.stderr.write(safeText(text.endsWith('\n') ? text : text + '\n'));
}
