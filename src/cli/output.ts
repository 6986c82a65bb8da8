import { writeOutputFile } from '../fs/output-file.js';
import { safeText } from '../safe-text.js';

/**
 * Prints to stdout or writes a file (the CLI's -o: atomically, never through a link); control
 * characters from host data are shown escaped.
 */
export function output(text: string, file?: string): void {
  const body = safeText(text.endsWith('\n') ? text : text + '\n');
  if (file && file !== '-') writeOutputFile(file, body);
  else process.stdout.write(body);
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A status line on stderr, sanitized like output(). */
export function notice(text: string): void {
  process.stderr.write(safeText(text.endsWith('\n') ? text : text + '\n'));
}
