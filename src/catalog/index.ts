import featuresData from '../../data/features.json' with { type: 'json' };
import modelsData from '../../data/models.json' with { type: 'json' };
import linuxData from '../../data/linux-flags.json' with { type: 'json' };
import kvmData from '../../data/kvm.json' with { type: 'json' };
import kvmOfferData from '../../data/kvm-offer.json' with { type: 'json' };
import qemuChangesData from '../../data/qemu-changes.json' with { type: 'json' };
import { compareVersions, majorMinor } from '../version.js';
import type { Feature, KvmOfferData, LinuxFlag, Model, QemuChange } from './types.js';

export type * from './types.js';
export { CATEGORY_ORDER } from './types.js';
export { isAmdLike } from './vendors.js';

/** KVM facts from Linux arch/x86/kvm (see catalog-src/kvm.json): what KVM adds, removes and synthesizes. */
export interface KvmKnowledge {
  /** Props QEMU turns on for every named model under KVM (kvm_default_props) */
  accelDefaultsOn: string[];
  /** Props QEMU turns off for every named model under KVM */
  accelDefaultsOff: string[];
  /** Features KVM provides on every host, whatever the CPU */
  emulated: string[];
  /** Features that vanish with microcode updates (TSX) */
  fragile: string[];
  /** Bits KVM sets when the host lacks a hardware bug: cpuinfo bug name and the first kernel reporting it */
  notAffected: Record<string, { bug: string; since: string }>;
  /** Features QEMU provides under KVM whatever the host reports (never block a start) */
  qemuProvided: string[];
  /** Features that are host-specific and never belong in a migratable model */
  hostSpecific: string[];
}

/** KVM's offer per Linux release, generated from the kernel sources (catalog-src/kvm-offer/). */
export const kvmOffer = kvmOfferData as unknown as KvmOfferData;

export const kvm: KvmKnowledge = (() => {
  const data = kvmData as unknown as KvmKnowledge;
  const { $comment: _n, ...notAffected } = data.notAffected as Record<string, unknown>;
  return {
    ...data,
    notAffected: notAffected as KvmKnowledge['notAffected'],
  };
})();

const features = featuresData as Feature[];
const models = modelsData as Model[];
const linuxFlags = linuxData as LinuxFlag[];

const featureByName = new Map<string, Feature>();
for (const f of features) {
  featureByName.set(f.name, f);
}
for (const f of features) {
  for (const a of f.aliases) if (!featureByName.has(a)) featureByName.set(a, f);
}
const modelByName = new Map<string, Model>();
for (const m of models) modelByName.set(m.name, m);
for (const m of models) for (const a of m.aliases) if (!modelByName.has(a)) modelByName.set(a, m);
const modelByLowerName = new Map<string, Model>();
for (const [k, m] of modelByName) modelByLowerName.set(k.toLowerCase(), m);
const linuxByName = new Map(linuxFlags.map((l) => [l.name, l]));

export function allFeatures(): readonly Feature[] {
  return features;
}

export function allModels(): readonly Model[] {
  return models;
}

/** The paravirtual features whose guest side makes a KVM hypercall (feature.hypercall), by name. */
export const HYPERCALL_FEATURES: readonly string[] = features.filter((f) => f.hypercall).map((f) => f.name);

/** The nested-virtualization features (feature.nested: vmx, svm and their capability words), by name. */
export const NESTED_FEATURES: readonly string[] = features.filter((f) => f.nested).map((f) => f.name);

export function allLinuxFlags(): readonly LinuxFlag[] {
  return linuxFlags;
}

/**
 * A QEMU feature by any spelling QEMU accepts on -cpu: canonical, alias, or with `_` for `-`
 * (QEMU's option parser turns every `_` into `-` before the lookup).
 */
export function resolveFeature(name: string): Feature | undefined {
  return featureByName.get(name) ?? featureByName.get(name.replace(/_/g, '-'));
}

/** The canonical name, or undefined for a name QEMU does not know. */
export function canonicalFeature(name: string): string | undefined {
  return resolveFeature(name)?.name;
}

export function linuxFlag(name: string): LinuxFlag | undefined {
  return linuxByName.get(name);
}

/**
 * Whether Linux `kernel` ("6.1.0-56-amd64") prints flag `name` in /proc/cpuinfo, per the flag's release
 * steps (LinuxFlag.cpuinfo): releases between two known ones behave like the older; an unknown kernel
 * like the newest known.
 */
export function linuxPrints(name: string, kernel: string | null): boolean {
  const steps = linuxByName.get(name)?.cpuinfo;
  if (!steps) return true;
  const release = majorMinor(kernel ?? '');
  if (!release) return steps.at(-1)!.shown;
  let shown = true;
  for (const s of steps) if (compareVersions(release, s.since) >= 0) shown = s.shown;
  return shown;
}

/** A model by versioned name or alias (case-insensitive as a fallback, like libvirt). */
export function resolveModel(name: string): Model | undefined {
  return modelByName.get(name) ?? modelByLowerName.get(name.toLowerCase());
}

/** True when QEMU `version` (e.g. "7.2" or "7.2.22") knows something first released in `since` (null = unknown: treated as not known). */
export function knownIn(since: string | null, version: string): boolean {
  if (since === null) return false;
  return compareVersions(since, majorMinor(version) ?? version) <= 0;
}

/**
 * True only when the catalog knows that `since` came after QEMU `version`: "7.2" means "7.2 or older"
 * (the oldest QEMU the catalog was made from), so nothing is claimed missing from older releases.
 */
export function knownNewerThan(since: string | null, version: string): boolean {
  if (since === null || since === OLDEST_KNOWN_QEMU) return false;
  return compareVersions(since, majorMinor(version) ?? version) > 0;
}

/** The QEMU release the catalog's own snapshot comes from: its names and models are "this or older". */
export const OLDEST_KNOWN_QEMU = '7.2';

export function featuresKnownIn(version: string): Feature[] {
  return features.filter((f) => knownIn(f.qemu, version));
}

export function modelsKnownIn(version: string): Model[] {
  return models.filter((m) => knownIn(m.qemu, version));
}

/** Changes that matter for live migration made after QEMU `older` up to `newer` (both "X.Y" or "X.Y.Z"). */
export function qemuChangesBetween(older: string, newer: string): QemuChange[] {
  return (qemuChangesData as QemuChange[]).filter((c) => !knownIn(c.release, older) && knownIn(c.release, newer));
}
