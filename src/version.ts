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

export function versionAtLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

function numbers(v: string): number[] {
  return (v.match(/\d+/g) ?? []).map(Number);
}
