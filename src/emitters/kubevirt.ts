/**
 * KubeVirt: spec.template.spec.domain.cpu of a VirtualMachine. KubeVirt passes model and feature
 * names to the libvirt of its virt-launcher image, so the model is one that libvirt knows (`--libvirt`,
 * default 9.0 as a floor) and the features use libvirt's spelling, relative to QEMU's expansion of
 * the model; kvm-pv-unhalt and kvm-pv-eoi are domain features there (pvspinlock, apic.endOfInterrupt).
 */
import type { BaselineResult } from '../engine/types.js';
import { kubevirt } from '../catalog/kubevirt.js';
import { libvirtBase } from './libvirt.js';
import { DEFAULT_LIBVIRT, libvirtSpellingFor } from './libvirt-names.js';

/** KubeVirt's default obsoleteCPUModels (data/kubevirt.json): nodes are not labelled for them, so VMs using one do not schedule. */
const OBSOLETE: ReadonlySet<string> = new Set(kubevirt.obsoleteModels);

const q = (s: string) => JSON.stringify(s); // a double-quoted YAML scalar

export function emitKubevirt(result: BaselineResult, opts: { libvirt?: string } = {}): string {
  const libvirt = opts.libvirt ?? DEFAULT_LIBVIRT;
  const kubevirtCan = (f: string) => {
    const s = libvirtSpellingFor(f, libvirt);
    return s.kind === 'cpu' || (s.kind === 'domain' && !!s.feature.kubevirt);
  };
  const base = libvirtBase(result, 'kubevirt', libvirt, kubevirtCan);
  const name = { name: base.name };
  const notes = [`${base.name} is QEMU's ${base.model.name}; the features are relative to QEMU's own expansion`];
  const features: Array<[string, 'require' | 'disable']> = [];
  const domain: Array<[string, string, boolean]> = [];
  const add = (feature: string, on: boolean) => {
    const s = libvirtSpellingFor(feature, libvirt);
    if (s.kind === 'cpu') return void features.push([s.name, on ? 'require' : 'disable']);
    if (s.kind === 'domain' && s.feature.kubevirt) {
      return void domain.push([s.feature.kubevirt.path[0], s.feature.kubevirt.key, on]);
    }
    notes.push(`${feature}: KubeVirt cannot request it; guests will not get it`);
  };
  for (const f of base.plus) add(f, true);
  for (const f of [...base.minus, ...base.alsoOff].sort()) add(f, false);

  if (OBSOLETE.has(name.name)) {
    notes.push(
      `${name.name} is in KubeVirt's default obsoleteCPUModels: remove it there (KubeVirt CR spec.configuration) or no node matches`,
    );
  }
  if (result.physBits !== null)
    notes.push(`phys-bits ${result.physBits}: not set here, no KubeVirt field for it was confirmed`);

  const lines = [`# migratable model ${result.name}: ${result.base}`, ...notes.map((n) => `# ${n}`)];
  lines.push('spec:', '  template:', '    spec:', '      domain:', '        cpu:', `          model: ${q(name.name)}`);
  if (features.length) {
    lines.push('          features:');
    for (const [n, policy] of features) lines.push(`            - name: ${q(n)}`, `              policy: ${policy}`);
  }
  if (domain.length) {
    lines.push('        features:');
    for (const [el, key, on] of domain) lines.push(`          ${el}:`, `            ${key}: ${on}`);
  }
  return lines.join('\n') + '\n';
}
