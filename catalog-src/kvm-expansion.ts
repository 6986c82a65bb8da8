/**
 * QEMU's static expansion of a model under KVM, for a snapshot taken where /dev/kvm was not usable: from
 * the TCG expansion, the way QEMU's accelerator defaults and feature dependencies turn one into the other.
 * The generator checks this against every KVM answer a snapshot has before using it for the others.
 */
import type { Feature } from '../src/catalog/types.js';
import type { MergedSnapshots } from './qemu-releases.js';

export interface KvmRules {
  /** kvm_default_props (target/i386/kvm/kvm-cpu.c), from catalog-src/kvm.json */
  accelDefaultsOn: string[];
  accelDefaultsOff: string[];
  svmDependents: Set<string>;
}

/**
 * The SVM sub-features (CPUID 0x8000000A EDX): QEMU clears them when svm is off, which KVM's defaults do
 * (target/i386/cpu.c feature_dependencies[]: FEAT_8000_0001_ECX SVM -> FEAT_SVM, in 7.2 and 10.0 alike).
 */
export function svmDependents(features: Feature[]): Set<string> {
  return new Set(features.filter((f) => f.cpuid?.leaf === 0x8000000a && f.cpuid.register === 'edx').map((f) => f.name));
}

/**
 * Whether QEMU's definition of a model has vme, which TCG switches off (tcg_default_props): as a KVM answer
 * for a version of the same model shows it (versions never change vme), else as libvirt's copy of the
 * definition says (libvirt's older definitions omit vme, its newer ones list it like QEMU).
 */
function definesVme(snap: MergedSnapshots, libvirt: Map<string, string[]>, name: string): boolean {
  const family = name.replace(/-v\d+$/, '');
  const answered = Object.entries(snap.models).find(([n, m]) => m.kvm && n.replace(/-v\d+$/, '') === family);
  return answered ? answered[1].kvm!.includes('vme') : (libvirt.get(name) ?? []).includes('vme');
}

/** The KVM expansion of every snapshot model: QEMU's own answer, else derived from TCG (checked first). */
export function kvmExpansions(
  snap: MergedSnapshots,
  /** libvirt's definition of each model (libvirtDefinitions) */
  libvirt: Map<string, string[]>,
  rules: KvmRules,
): Map<string, string[]> {
  const derive = (name: string, tcg: string[]) => {
    const s = new Set(tcg);
    if (definesVme(snap, libvirt, name)) s.add('vme');
    for (const f of rules.accelDefaultsOff) s.delete(f);
    for (const f of rules.accelDefaultsOn) s.add(f);
    if (!s.has('svm')) for (const f of rules.svmDependents) s.delete(f);
    return [...s].sort();
  };
  const underived = Object.entries(snap.models).filter(([n, m]) => m.kvm && derive(n, m.tcg).join() !== m.kvm.join());
  if (underived.length)
    throw new Error(`KVM expansion not derivable from TCG for ${underived.map(([n]) => n).join(' ')}`);
  return new Map(Object.entries(snap.models).map(([n, m]) => [n, m.kvm ?? derive(n, m.tcg)]));
}
