/**
 * The x86-64 psABI v1 set plus lm: what every 64-bit x86 CPU offers a guest under a 64-bit host
 * kernel. Host data without one of these is cut off, from a 32-bit kernel, or not x86 at all.
 */
export const X86_64_BASELINE = ['lm', 'fpu', 'cmov', 'cx8', 'fxsr', 'mmx', 'syscall', 'sse', 'sse2'] as const;

/** The baseline features a feature list lacks, in baseline order. */
export function missingBaseline(features: readonly string[] | ReadonlySet<string>): string[] {
  // Nine names looked up in a list: cheaper than a Set of the host's ~150 features, once per host
  if (features instanceof Set) return X86_64_BASELINE.filter((f) => !features.has(f));
  const list = features as readonly string[];
  return X86_64_BASELINE.filter((f) => !list.includes(f));
}
