/**
 * Pasted host data that holds several hosts: two /proc/cpuinfo dumps one after the other would read as
 * one host with twice the CPUs. Each dump starts again at "processor : 0". Pure.
 */
export function splitCpuinfoDumps(text: string): string[] {
  const starts = [...text.matchAll(/^processor\s*:\s*0\s*$/gm)].map((m) => m.index ?? 0);
  if (starts.length < 2) return [text];
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

/** A cheap fingerprint of pasted text, to notice the same paste twice (whitespace at the ends ignored). */
export function textKey(text: string): string {
  let hash = 0;
  const t = text.trim();
  for (let i = 0; i < t.length; i++) hash = (Math.imul(hash, 31) + t.charCodeAt(i)) | 0;
  return `${t.length}:${hash}`;
}
