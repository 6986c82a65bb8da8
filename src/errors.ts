/** Bad user input: the CLI prints the message as one line and exits 2. */
export class InputError extends Error {
  constructor(
    /** The file (or "-" for stdin, or an argument name) the problem is in */
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'InputError';
  }
}

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_BAD_INPUT = 2;

/** Another writer holds the file, or changed it while we wrote: the input was fine, run again. Exit 3. */
export class BusyError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'BusyError';
  }
}
export const EXIT_BUSY = 3;
