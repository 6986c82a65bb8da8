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
