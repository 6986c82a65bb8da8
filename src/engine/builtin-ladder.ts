/**
 * The EVC-style ladder: which of the built-in CPU types (Proxmox's kvm64 and x86-64-v2-AES..v4, and
 * QEMU's named models of the hosts' vendors) run on every selected host, and on which they do not.
 * Pure: HostProfiles + catalog in; the same runnable rule as `migratable models --host`.
 */
import { allModels, knownNewerThan, resolveFeature, resolveModel, type Model } from '../catalog/index.js';
import type { HostProfile } from '../profile/host-profile.js';
import { describeHosts, type HostGroup, type HostSet } from './hosts.js';
import { runsIn, unavailableIn } from './runnable.js';

/** The generic rungs, poorest first: what Proxmox offers in its processor dialog before the named models. */
export const GENERIC_LADDER = ['kvm64-v1', 'x86-64-v2', 'x86-64-v2-AES', 'x86-64-v3', 'x86-64-v4'];

export interface LadderRung {
  /** The name a VM config uses (kvm64, x86-64-v3, Haswell-noTSX, EPYC-Rome) */
  type: string;
  /** The catalog model (versioned) */
  model: string;
  kind: 'generic' | 'named';
  vendor: string | null;
  /** Guest features the type gives under KVM: the ladder's order */
  featureCount: number;
  everywhere: boolean;
  /** Selected hosts it runs on */
  runsOn: number;
  /** Hosts it does not run on, with the features (or QEMU release) they lack; same lacks share one entry */
  blocked: Array<{ hosts: string[]; missing: string[] }>;
}

export interface BuiltinLadder {
  rungs: LadderRung[];
  /** The richest type that runs on every host, or null (not even kvm64: truncated host data) */
  richest: string | null;
  /** Said once for every rung when it holds (built-in types keep Proxmox's own flags) */
  caveat: string | null;
}

export interface LadderOptions {
  /** Oldest QEMU of the cluster, when known: newer types are refused by it */
  qemu?: string | null;
}

/** kvm64-v1 -> kvm64, Haswell-v2 -> Haswell-noTSX: the unversioned name VM configs use. */
function typeName(m: Model): string {
  return m.aliases.find((a) => !/-v\d+$/.test(a)) ?? m.name;
}

function candidates(vendors: string[]): Model[] {
  const generic = GENERIC_LADDER.map((n) => resolveModel(n)).filter((m): m is Model => !!m);
  // Named 64-bit models of the hosts' own vendors with a plain name (what Proxmox lists) and QEMU's own definition
  const named = allModels().filter(
    (m) =>
      m.vendor !== null &&
      vendors.includes(m.vendor) &&
      m.verified &&
      !m.deprecated &&
      !m.abstract &&
      m.kvmFeatures.includes('lm') &&
      m.aliases.some((a) => !/-v\d+$/.test(a)),
  );
  return [...generic, ...named];
}

function rung(m: Model, groups: HostGroup[], qemu: string | null, total: number): LadderRung {
  const blocked: LadderRung['blocked'] = [];
  const byLack = new Map<string, string[]>();
  let runsOn = 0;
  for (const g of groups) {
    const missing =
      qemu && knownNewerThan(m.qemu, qemu) ? [`QEMU ${m.qemu}`] : unavailableIn(g.features, m.kvmFeatures).sort();
    if (!missing.length) {
      runsOn += g.hosts.length;
      continue;
    }
    const key = missing.join(' ');
    const names = g.hosts.map((h) => h.name);
    const list = byLack.get(key);
    if (list) list.push(...names);
    else {
      byLack.set(key, names);
      blocked.push({ hosts: names, missing });
    }
  }
  const kind = m.vendor === null ? 'generic' : 'named';
  return {
    type: typeName(m),
    model: m.name,
    kind,
    vendor: m.vendor,
    featureCount: m.kvmFeatures.length,
    everywhere: runsOn === total,
    runsOn,
    blocked: blocked.sort((a, b) => b.hosts.length - a.hosts.length),
  };
}

export function builtinLadder(hosts: HostProfile[], options: LadderOptions = {}): BuiltinLadder {
  if (!hosts.length) return { rungs: [], richest: null, caveat: null };
  return ladderOf(describeHosts(hosts), options.qemu ?? null);
}

/** Candidates in ladder order: generic types first, then named ones, each poorest first. */
function ordered(vendors: string[]): Model[] {
  const generic = (m: Model) => m.vendor === null;
  return candidates(vendors).sort((a, b) =>
    generic(a) === generic(b) ? a.kvmFeatures.length - b.kvmFeatures.length : generic(a) ? -1 : 1,
  );
}

/** Richest by what the guest gets; a generic type wins a tie (it keeps the host's vendor). */
function richestOf<T>(items: T[], featureCount: (t: T) => number): T | null {
  return items.reduce<T | null>((best, t) => (!best || featureCount(t) > featureCount(best) ? t : best), null);
}

function caveatOf(set: HostSet): string | null {
  return set.crossVendor
    ? `Proxmox switches ${resolveFeature('kvm-pv-unhalt')?.hypercall ? 'kvm_pv_unhalt' : 'PV hypercalls'} on for every built-in type: across Intel and AMD a guest can crash after a move; the custom model switches it off`
    : null;
}

/** For the engine, which has described the hosts already. */
export function ladderOf(set: HostSet, qemuOverride: string | null): BuiltinLadder {
  const hosts = set.hosts;
  const qemu = qemuOverride ?? set.oldestQemu;
  const rungs = ordered(set.vendors).map((m) => rung(m, set.groups, qemu, hosts.length));
  const richest = richestOf(
    rungs.filter((r) => r.everywhere),
    (r) => r.featureCount,
  );
  return { rungs, richest: richest?.type ?? null, caveat: caveatOf(set) };
}

/**
 * Only the ladder's answer, for the baseline's summary: no per-rung lists of blocked hosts, which
 * for a fleet of 100k hosts would be built for every rung and thrown away.
 */
export function richestBuiltinOf(set: HostSet, qemuOverride: string | null): Pick<BuiltinLadder, 'richest' | 'caveat'> {
  const qemu = qemuOverride ?? set.oldestQemu;
  const everywhere = ordered(set.vendors).filter(
    (m) => !(qemu && knownNewerThan(m.qemu, qemu)) && set.groups.every((g) => runsIn(g.features, m.kvmFeatures)),
  );
  const richest = richestOf(everywhere, (m) => m.kvmFeatures.length);
  return { richest: richest ? typeName(richest) : null, caveat: caveatOf(set) };
}
