/**
 * What every 64-bit x86 CPU offers a guest under a 64-bit host kernel: lm and the x86-64 psABI's v1
 * level (data/x86-64.json). Host data without one of these is cut off, from a 32-bit kernel, or not
 * x86 at all.
 */
import { x86_64 } from '../catalog/x86-64.js';

export const X86_64_BASELINE: readonly string[] = x86_64.baseline;

/** The baseline features a feature list lacks, in baseline order. */
export function missingBaseline(features: readonly string[] | ReadonlySet<string>): string[] {
  // Nine names looked up in a list: cheaper than a Set of the host's ~150 features, once per host
  if (features instanceof Set) return X86_64_BASELINE.filter((f) => !features.has(f));
  const list = features as readonly string[];
  return X86_64_BASELINE.filter((f) => !list.includes(f));
}
