/**
 * KubeVirt: spec.template.spec.domain.cpu of a VirtualMachine. KubeVirt passes model and feature
 * names to libvirt, so both use libvirt's spelling; kvm-pv-unhalt and kvm-pv-eoi are domain features
 * there (pvspinlock, apic.endOfInterrupt).
 */
import type { BaselineResult } from '../engine/types.js';
import { EmitError, checkResult, isNoOpMinus } from './guard.js';
import { libvirtModelName, libvirtSpelling } from './libvirt-names.js';

/** KubeVirt's default obsoleteCPUModels: nodes are not labelled for them, so VMs using one do not schedule. */
const OBSOLETE = new Set(
  'pentium pentium2 pentium3 pentiumpro coreduo n270 core2duo Conroe athlon phenom kvm32 kvm64 qemu32 qemu64'.split(
    ' ',
  ),
);

const q = (s: string) => JSON.stringify(s); // a double-quoted YAML scalar

export function emitKubevirt(result: BaselineResult): string {
  const model = checkResult(result, 'kubevirt');
  const name = libvirtModelName(model);
  const notes: string[] = [];
  const features: Array<[string, 'require' | 'disable']> = [];
  const domain: Array<[string, string, boolean]> = [];
  const add = (feature: string, on: boolean) => {
    const s = libvirtSpelling(feature);
    if (s.kind === 'cpu') return void features.push([s.name, on ? 'require' : 'disable']);
    if (s.kind === 'domain' && s.feature.kubevirt) {
      return void domain.push([s.feature.kubevirt.path[0], s.feature.kubevirt.key, on]);
    }
    if (on) notes.push(`${feature}: KubeVirt cannot request it; guests will not get it`);
    else if (isNoOpMinus(model, feature))
      notes.push(`${feature}: KubeVirt cannot turn it off; QEMU leaves it off for ${model.name} anyway`);
    else
      throw new EmitError('kubevirt', `KubeVirt cannot turn off ${feature}, and ${model.name} turns it on under KVM`);
  };
  for (const f of [...result.plus].sort()) add(f, true);
  for (const f of [...result.minus].sort()) add(f, false);

  if (OBSOLETE.has(name.name)) {
    notes.push(
      `${name.name} is in KubeVirt's default obsoleteCPUModels: remove it there (KubeVirt CR spec.configuration) or no node matches`,
    );
  }
  if (name.versioned)
    notes.push(`${name.name} needs a libvirt whose CPU map has versioned models (the virt-launcher image's)`);
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
