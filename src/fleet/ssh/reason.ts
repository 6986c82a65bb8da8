import { safeLine } from '../../safe-text.js';

/**
 * Stderr -> printable lines for failure reports. Remote hosts control what they print and it
 * ends up on the user's terminal, so terminal control characters are shown escaped.
 */
export function cleanLines(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((l) => safeLine(l).trim())
    .filter(Boolean);
}

/** The last non-blank stderr line (where ssh puts its reason), cleaned and length-capped. */
export function oneLineReason(stderr: string, maxLength = 300): string {
  const last = cleanLines(stderr).at(-1) ?? '';
  return last.length > maxLength ? `${last.slice(0, maxLength - 1)}…` : last;
}
