import { allModels, canonicalFeature, knownNewerThan, kvmOffer } from '../catalog/index.js';
import type { HostProfile } from '../profile/host-profile.js';

/** Bits QEMU's kvm_arch_get_supported_cpuid adds on any KVM host (generated): they never block a start */
const provided = new Set(kvmOffer.qemuAdds);

/** Sets of shared features lists (frozen, so they cannot go stale): hosts of one variant share one. */
const featureSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function featureSet(features: readonly string[]): ReadonlySet<string> {
  if (!Object.isFrozen(features)) return new Set(features);
  let set = featureSets.get(features);
  if (!set) featureSets.set(features, (set = new Set(features)));
  return set;
}

/** Features of `wanted` a guest would be refused on this host (QEMU's unavailable-features, offline). */
export function unavailableOn(host: HostProfile, wanted: Iterable<string>): string[] {
  // A VM x host matrix asks this once per cell: 25,000 cells were 25,000 sets of ~150 names
  return unavailableIn(featureSet(host.features), wanted);
}

/** The same for a feature set already built (host groups). */
export function unavailableIn(have: ReadonlySet<string>, wanted: Iterable<string>): string[] {
  const refused = (f: string) => !have.has(f) && !provided.has(f);
  // A list is filtered as it is (a VM x host matrix asks once per cell), anything else copied first
  return Array.isArray(wanted) ? (wanted as readonly string[]).filter(refused) : [...wanted].filter(refused);
}

/** True when nothing of `wanted` would be refused (unavailableIn is empty), without building the list. */
export function runsIn(have: ReadonlySet<string>, wanted: readonly string[]): boolean {
  for (const f of wanted) if (!have.has(f) && !provided.has(f)) return false;
  return true;
}

/** One row of `models --host --json`: `name` and `aliases` as in `models --json`. */
export interface ModelRunnability {
  /** Versioned QEMU model name */
  name: string;
  aliases: string[];
  runnable: boolean;
  missing: string[];
  /** QEMU's own answer when the profile carries it, and where we disagree */
  qemuSays?: { runnable: boolean; missing: string[] };
  disagreement?: { onlyOurs: string[]; onlyQemu: string[] };
}

/** The offline twin of query-cpu-definitions' unavailable-features for one host. */
export function modelsForHost(host: HostProfile, qemu?: string): ModelRunnability[] {
  const version = qemu ?? host.qemu ?? undefined;
  return allModels()
    .filter((m) => !m.abstract && (!version || !knownNewerThan(m.qemu, version)))
    .map((m) => {
      const missing = unavailableOn(host, m.kvmFeatures);
      const row: ModelRunnability = { name: m.name, aliases: m.aliases, runnable: missing.length === 0, missing };
      const theirs = host.unavailable?.[m.name];
      if (theirs) {
        row.qemuSays = { runnable: theirs.length === 0, missing: [...new Set(theirs)].sort() };
        const ours = new Set(missing);
        const q = new Set(theirs.map((f) => canonicalFeature(f) ?? f));
        const onlyOurs = missing.filter((f) => !q.has(f));
        const onlyQemu = [...q].filter((f) => !ours.has(f));
        if (onlyOurs.length || onlyQemu.length) row.disagreement = { onlyOurs, onlyQemu };
      }
      return row;
    });
}
