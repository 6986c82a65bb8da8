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
