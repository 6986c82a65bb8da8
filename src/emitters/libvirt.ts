/**
 * libvirt domain XML: <cpu mode='custom' match='exact' check='full'> with fallback='forbid', so
 * libvirt neither swaps the model nor starts a guest that lacks a requested feature.
 *
 * Features libvirt has no CPU-feature name for: a KVM paravirtual bit with a domain <features>
 * knob (pvspinlock = kvm-pv-unhalt, apic eoi = kvm-pv-eoi, ...) is set there. Otherwise a plus
 * feature is left out with a comment (the guest gets less, which is safe), and a minus feature is
 * an error unless QEMU leaves it off for the base anyway (the guest would get more than the model).
 */
import type { BaselineResult } from '../engine/types.js';
import { EmitError, checkResult, isNoOpMinus } from './guard.js';
import { libvirtModelName, libvirtSpelling, type DomainFeature } from './libvirt-names.js';

export interface LibvirtOptions {
  /** Emit a minimal complete <domain> (for virt-xml-validate) instead of the <cpu>/<features> snippets */
  wrapDomain?: boolean;
}

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** XML comments must not contain "--" or end in "-". */
function comment(text: string): string {
  return `<!-- ${text.replace(/-(?=-)/g, '- ').replace(/-$/, '- ')} -->`;
}

interface LibvirtCpu {
  cpu: string[];
  /** Lines inside <features>, empty when none are needed */
  features: string[];
  notes: string[];
}

export function libvirtCpu(result: BaselineResult, format = 'libvirt'): LibvirtCpu {
  const model = checkResult(result, format);
  const name = libvirtModelName(model);
  const notes: string[] = [];
  if (name.versioned)
    notes.push(`${name.name} needs a libvirt whose CPU map has versioned models (libvirt 9.0 has none)`);

  const cpuFeatures: string[] = [];
  const domain = new Map<DomainFeature, boolean>();
  const add = (feature: string, on: boolean) => {
    const s = libvirtSpelling(feature);
    if (s.kind === 'cpu')
      cpuFeatures.push(`<feature policy='${on ? 'require' : 'disable'}' name='${escapeXml(s.name)}'/>`);
    else if (s.kind === 'domain') domain.set(s.feature, on);
    else if (on) notes.push(`${feature} has no libvirt spelling: guests will not get it`);
    else if (isNoOpMinus(model, feature))
      notes.push(`${feature} has no libvirt spelling; QEMU leaves it off for ${model.name} anyway`);
    else
      throw new EmitError(format, `cannot turn off ${feature} in libvirt XML, and ${model.name} turns it on under KVM`);
  };
  for (const f of [...result.plus].sort()) add(f, true);
  for (const f of [...result.minus].sort()) add(f, false);

  const cpu = [
    `<cpu mode='custom' match='exact' check='full'>`,
    `  <model fallback='forbid'>${escapeXml(name.name)}</model>`,
    ...(result.physBits !== null ? [`  <maxphysaddr mode='emulate' bits='${result.physBits}'/>`] : []),
    ...cpuFeatures.map((l) => '  ' + l),
    `</cpu>`,
  ];
  return { cpu, features: domainFeatureLines(domain), notes };
}

function domainFeatureLines(domain: Map<DomainFeature, boolean>): string[] {
  const top: string[] = [];
  const kvm: string[] = [];
  for (const [f, on] of domain) {
    const state = on ? 'on' : 'off';
    const [el, sub] = f.path;
    if (sub) kvm.push(`<${sub} ${f.attr}='${state}'/>`);
    else top.push(`<${el} ${f.attr}='${state}'/>`);
  }
  if (kvm.length) top.push('<kvm>', ...kvm.map((l) => '  ' + l), '</kvm>');
  return top;
}

export function emitLibvirt(result: BaselineResult, opts: LibvirtOptions = {}): string {
  const { cpu, features, notes } = libvirtCpu(result);
  const featuresBlock = features.length ? ['<features>', ...features.map((l) => '  ' + l), '</features>'] : [];
  const head = [comment(`migratable model ${result.name}: ${result.base}`), ...notes.map(comment)];
  if (opts.wrapDomain) {
    const body = [...head, ...featuresBlock, ...cpu];
    return [
      `<domain type='kvm'>`,
      `  <name>${escapeXml(result.name)}</name>`,
      `  <memory unit='MiB'>1024</memory>`,
      `  <os>`,
      `    <type arch='x86_64'>hvm</type>`,
      `  </os>`,
      ...body.map((l) => '  ' + l),
      `</domain>`,
      '',
    ].join('\n');
  }
  const out = [...head, ...cpu];
  if (featuresBlock.length) out.push(comment("merge into the domain's <features>"), ...featuresBlock);
  return out.join('\n') + '\n';
}
