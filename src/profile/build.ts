import { HOST_PROFILE_SCHEMA_VERSION, VENDORS, type HostProfile } from './host-profile.js';

type Required = Pick<HostProfile, 'name' | 'vendor' | 'features' | 'exact' | 'source'>;

/** A HostProfile with every optional fact unknown unless given. */
export function newProfile(p: Required & Partial<HostProfile>): HostProfile {
  return {
    schemaVersion: HOST_PROFILE_SCHEMA_VERSION,
    family: null,
    model: null,
    stepping: null,
    modelName: null,
    microcode: null,
    physBits: null,
    kernel: null,
    qemu: null,
    collectedAt: null,
    ...p,
    features: sortedUnique(p.features),
  };
}

/** Feature lists known to hold only strings, sorted and duplicate-free: frozen, so they stay so while profiles share them. */
const SORTED = new WeakSet<readonly string[]>();

/**
 * A features list to share between many profiles (hosts of one CPU variant): sorted, without duplicates
 * and frozen, so newProfile takes it as it is instead of checking it once per host, and the schema
 * check need not look at its elements again (isSharedFeatureList).
 */
export function sortedFeatures(list: string[]): string[] {
  const sorted = Object.freeze(sortedUnique(list));
  if (sorted.every((f) => typeof f === 'string')) SORTED.add(sorted);
  return sorted as string[];
}

/** True for a list made by sortedFeatures: frozen, only strings, sorted and duplicate-free. */
export function isSharedFeatureList(list: unknown): boolean {
  return Array.isArray(list) && SORTED.has(list);
}

/** Keeps an already sorted, duplicate-free array as is (shared by identical hosts), else sorts a copy. */
function sortedUnique(list: string[]): string[] {
  if (SORTED.has(list)) return list;
  for (let i = 1; i < list.length; i++) if (list[i - 1] >= list[i]) return [...new Set(list)].sort();
  return list;
}

export function normalizeVendor(v: string): HostProfile['vendor'] {
  const s = v.trim();
  if ((VENDORS as readonly string[]).includes(s)) return s as HostProfile['vendor'];
  if (/intel/i.test(s)) return 'GenuineIntel';
  if (/amd/i.test(s)) return 'AuthenticAMD';
  if (/hygon/i.test(s)) return 'HygonGenuine';
  if (/centaur|zhaoxin|via/i.test(s)) return 'CentaurHauls';
  return 'unknown';
}
