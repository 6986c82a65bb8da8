/**
 * The one comparison of version strings: QEMU's ("7.2", "7.2.22", "10.0") and Linux kernels'
 * ("6.1.0-56-amd64", "6.8.12-4-pve"). Their numeric runs compare as numbers, left to right; a missing
 * run counts as 0, so "7.2" equals "7.2.0" and "6.4" is below "6.4.1-pve".
 */
export function compareVersions(a: string, b: string): number {
  const pa = numbers(a);
  const pb = numbers(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

function numbers(v: string): number[] {
  return (v.match(/\d+/g) ?? []).map(Number);
}

/** "7.2" of "7.2.22", "6.8" of "6.8.12-4-pve"; null when the string does not start with major.minor. */
export function majorMinor(version: string | null | undefined): string | null {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m ? `${m[1]}.${m[2]}` : null;
}

/** QMP's version triple ({qemu: {major, minor, micro}} of query-version and the greeting) as "7.2.22". */
export function qmpVersionString(v: { major: number; minor: number; micro: number }): string {
  return `${v.major}.${v.minor}.${v.micro}`;
}
