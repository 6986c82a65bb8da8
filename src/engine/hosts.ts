import { compareVersions } from '../version.js';
import type { HostProfile } from '../profile/host-profile.js';
import { choosePhysBits, type PhysBitsChoice } from './phys-bits.js';

/** Hosts with exactly the same features: fleets have thousands of hosts but a handful of CPU variants. */
export interface HostGroup {
  features: Set<string>;
  hosts: HostProfile[];
}

/** Facts about a set of hosts the engine needs more than once. */
export interface HostSet {
  hosts: HostProfile[];
  names: string[];
  groups: HostGroup[];
  vendors: string[];
  crossVendor: boolean;
  /** For each feature, how many hosts offer it */
  counts: Map<string, number>;
  /** Oldest QEMU version any host reports, or null when none does */
  oldestQemu: string | null;
  /** The phys-bits to pin (see phys-bits.ts) */
  physBits: number;
  physBitsKnown: boolean;
  physBitsChoice: PhysBitsChoice;
}

function isSorted(list: string[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1] > list[i]) return false;
  return true;
}

function groupHosts(hosts: HostProfile[]): HostGroup[] {
  // Profiles read from the same flag line share one features array: group by identity first, then by content
  const byArray = new Map<string[], Map<string, HostProfile[]>>();
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i];
    const byVendor = byArray.get(h.features) ?? byArray.set(h.features, new Map()).get(h.features)!;
    (byVendor.get(h.vendor) ?? byVendor.set(h.vendor, []).get(h.vendor)!).push(h);
  }
  const byKey = new Map<string, HostGroup>();
  for (const [features, byVendor] of byArray)
    for (const [vendor, list] of byVendor) {
      const key = `${vendor} ${(isSorted(features) ? features : [...features].sort()).join(' ')}`;
      const g = byKey.get(key);
      if (g) g.hosts.push(...list);
      else byKey.set(key, { features: new Set(features), hosts: list });
    }
  return [...byKey.values()];
}

export function describeHosts(hosts: HostProfile[]): HostSet {
  return describeGroups(hosts, groupHosts(hosts));
}

/** The hosts of one vendor, reusing the groups already made (groups never mix vendors). */
export function vendorSubset(set: HostSet, vendor: string): HostSet {
  const groups = set.groups.filter((g) => g.hosts[0].vendor === vendor);
  // The hosts in group order, into an array of its final length (flatMap is slow on 100k hosts)
  let n = 0;
  for (const g of groups) n += g.hosts.length;
  const hosts = new Array<HostProfile>(n);
  let i = 0;
  for (const g of groups) for (let j = 0; j < g.hosts.length; j++) hosts[i++] = g.hosts[j];
  return describeGroups(hosts, groups);
}

function describeGroups(hosts: HostProfile[], groups: HostGroup[]): HostSet {
  const counts = new Map<string, number>();
  for (const g of groups) for (const f of g.features) counts.set(f, (counts.get(f) ?? 0) + g.hosts.length);
  // Groups never mix vendors; names and QEMU versions in one pass over the hosts (fleets of 100k)
  const vendors = [...new Set(groups.map((g) => g.hosts[0].vendor))].sort();
  const names = new Array<string>(hosts.length);
  const qemus = new Set<string>();
  for (let i = 0; i < hosts.length; i++) {
    names[i] = hosts[i].name;
    const q = hosts[i].qemu;
    if (q) qemus.add(q);
  }
  const versions = [...qemus].sort(compareVersions);
  const physBitsChoice = choosePhysBits(hosts);
  return {
    hosts,
    names,
    groups,
    vendors,
    crossVendor: vendors.length > 1,
    counts,
    oldestQemu: versions[0] ?? null,
    physBits: physBitsChoice.physBits,
    physBitsKnown: physBitsChoice.unknownOn.length === 0,
    physBitsChoice,
  };
}

/** Features every host offers. */
export function commonFeatures(set: HostSet): string[] {
  const n = set.hosts.length;
  return [...set.counts]
    .filter(([, c]) => c === n)
    .map(([f]) => f)
    .sort();
}
