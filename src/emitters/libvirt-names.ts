/**
 * How a QEMU model and feature are spelled for libvirt (and for Nova and KubeVirt, which hand
 * both to libvirt unchanged).
 */
import { resolveFeature, type Model } from '../catalog/index.js';

export interface LibvirtModelName {
  name: string;
  /** True when only libvirt releases with versioned models (the -vN files of cpu_map) know it */
  versioned: boolean;
}

const VERSIONED = /-v\d+$/;

/**
 * libvirt before its versioned cpu_map files (Debian 12's 9.0 has none) knows only QEMU's
 * unversioned and named-alias spellings, so those come first. A named alias (Broadwell-noTSX-IBRS)
 * always means the same version; the plain unversioned name is an alias of -v1.
 */
export function libvirtModelName(model: Model): LibvirtModelName {
  const unversioned = model.aliases.filter((a) => !VERSIONED.test(a));
  const named = unversioned.find((a) => a !== model.name.replace(VERSIONED, ''));
  const plain = model.name.endsWith('-v1')
    ? unversioned.find((a) => a === model.name.replace(VERSIONED, ''))
    : undefined;
  const pick = named ?? plain;
  if (pick) return { name: pick, versioned: false };
  return { name: model.name, versioned: VERSIONED.test(model.name) };
}

/** A KVM paravirtual bit libvirt sets through a domain <features> element instead of a CPU feature. */
export interface DomainFeature {
  /** Path under <features>: ['pvspinlock'] or ['kvm', 'pv-ipi'] */
  path: string[];
  /** The attribute carrying on/off */
  attr: 'state' | 'eoi';
  /** KubeVirt's spelling under spec.domain.features, when it has one */
  kubevirt?: { path: string[]; key: string };
}

/** libvirt's QEMU driver turns these into the -cpu kvm_* properties (pvspinlock -> kvm_pv_unhalt). */
const DOMAIN_FEATURES: Record<string, DomainFeature> = {
  'kvm-pv-unhalt': { path: ['pvspinlock'], attr: 'state', kubevirt: { path: ['pvspinlock'], key: 'enabled' } },
  'kvm-pv-eoi': { path: ['apic'], attr: 'eoi', kubevirt: { path: ['apic'], key: 'endOfInterrupt' } },
  'kvm-pv-ipi': { path: ['kvm', 'pv-ipi'], attr: 'state' },
  'kvm-poll-control': { path: ['kvm', 'poll-control'], attr: 'state' },
  'kvm-hint-dedicated': { path: ['kvm', 'hint-dedicated'], attr: 'state' },
};

export type LibvirtSpelling =
  { kind: 'cpu'; name: string } | { kind: 'domain'; feature: DomainFeature } | { kind: 'none' };

export function libvirtSpelling(feature: string): LibvirtSpelling {
  const f = resolveFeature(feature);
  if (f?.libvirt) return { kind: 'cpu', name: f.libvirt };
  const d = DOMAIN_FEATURES[feature];
  return d ? { kind: 'domain', feature: d } : { kind: 'none' };
}
