/**
 * Stderr -> printable lines for failure reports. Remote hosts control what they print and it
 * ends up on the user's terminal, so terminal control characters are removed.
 */
export function cleanLines(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((l) => stripControl(l).trim())
    .filter(Boolean);
}

/** The last non-blank stderr line (where ssh puts its reason), cleaned and length-capped. */
export function oneLineReason(stderr: string, maxLength = 300): string {
  const last = cleanLines(stderr).at(-1) ?? '';
  return last.length > maxLength ? `${last.slice(0, maxLength - 1)}…` : last;
}

function stripControl(s: string): string {
  // ANSI escape sequences first, then any remaining C0/C1 control characters.
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
