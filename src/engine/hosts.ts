import { compareVersions } from '../catalog/index.js';
import type { HostProfile } from '../profile/host-profile.js';

/** Facts about a set of hosts the engine needs more than once. */
export interface HostSet {
  hosts: HostProfile[];
  names: string[];
  vendors: string[];
  crossVendor: boolean;
  /** For each feature, how many hosts offer it */
  counts: Map<string, number>;
  /** Oldest QEMU version any host reports, or null when none does */
  oldestQemu: string | null;
  physBits: number | null;
  physBitsKnown: boolean;
}

export function describeHosts(hosts: HostProfile[]): HostSet {
  const counts = new Map<string, number>();
  for (const h of hosts) for (const f of h.features) counts.set(f, (counts.get(f) ?? 0) + 1);
  const vendors = [...new Set(hosts.map((h) => h.vendor))].sort();
  const versions = hosts.map((h) => h.qemu).filter((v): v is string => !!v).sort(compareVersions);
  const bits = hosts.map((h) => h.physBits);
  const known = bits.filter((b): b is number => b !== null);
  return {
    hosts,
    names: hosts.map((h) => h.name),
    vendors,
    crossVendor: vendors.length > 1,
    counts,
    oldestQemu: versions[0] ?? null,
    physBits: known.length ? Math.min(...known) : null,
    physBitsKnown: known.length === hosts.length,
  };
}

/** Features every host offers. */
export function commonFeatures(set: HostSet): string[] {
  const n = set.hosts.length;
  return [...set.counts].filter(([, c]) => c === n).map(([f]) => f).sort();
}

export function hostsLacking(set: HostSet, feature: string): string[] {
  return set.hosts.filter((h) => !h.features.includes(feature)).map((h) => h.name);
}
