/**
 * libvirt domain XML: <cpu mode='custom' match='exact' check='partial'> with fallback='forbid'.
 *
 * check (libvirt docs/formatdomain.rst, "CPU model and topology"): 'full' makes libvirt compare the CPU
 * QEMU built with libvirt's own definition of the model after starting, and fail on any difference
 * (virCPUx86UpdateLive in src/cpu/cpu_x86.c: "guest CPU doesn't match specification: extra features"),
 * which QEMU's models always give (vme, x2apic, hypervisor ...). 'partial' checks the definition against
 * the host before starting and then records what QEMU really built; 'none' checks nothing. So partial,
 * with every feature of libvirt's definition that the promise leaves out turned off explicitly.
 *
 * The model is a name the target libvirt knows (unversioned before 10.10, see libvirt-names.ts); the
 * deltas are against QEMU's expansion of that name, which is what the guest gets. A KVM paravirtual
 * bit with a domain <features> knob (pvspinlock = kvm-pv-unhalt, ...) is set there; a plus feature
 * libvirt cannot spell is left out with a comment (the guest gets less, which is safe).
 */
import type { BaselineResult } from '../engine/types.js';
import {
  DEFAULT_LIBVIRT,
  libvirtDefinition,
  libvirtModelNames,
  libvirtSpellingFor,
  type DomainFeature,
} from './libvirt-names.js';
import { retarget, type Retargeted } from './retarget.js';

export interface LibvirtOptions {
  /** Emit a minimal complete <domain> (for virt-xml-validate) instead of the <cpu>/<features> snippets */
  wrapDomain?: boolean;
  /** Domain type of the wrapped domain: kvm (default) or qemu (TCG) */
  domainType?: 'kvm' | 'qemu';
  /** The libvirt release the output is for (default 9.0, Debian 12) */
  libvirt?: string;
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
  base: Retargeted;
}

/** The promise on a base the target libvirt knows (KubeVirt and Nova hand theirs to libvirt as well). */
export function libvirtBase(
  result: BaselineResult,
  format: string,
  version = DEFAULT_LIBVIRT,
  canTurnOff = (f: string) => libvirtSpellingFor(f, version).kind !== 'none',
): Retargeted {
  return retarget(result, {
    format,
    names: libvirtModelNames(version),
    definition: libvirtDefinition,
    canTurnOff,
    why: `model libvirt ${version} knows`,
  });
}

export function libvirtCpu(result: BaselineResult, format = 'libvirt', version = DEFAULT_LIBVIRT): LibvirtCpu {
  const base = libvirtBase(result, format, version);
  const notes = [`${base.name} is QEMU's ${base.model.name}; the features below are relative to QEMU's own expansion`];
  const cpuFeatures: string[] = [];
  const domain = new Map<DomainFeature, boolean>();
  const add = (feature: string, on: boolean) => {
    const s = libvirtSpellingFor(feature, version);
    if (s.kind === 'cpu')
      cpuFeatures.push(`<feature policy='${on ? 'require' : 'disable'}' name='${escapeXml(s.name)}'/>`);
    else if (s.kind === 'domain' && !(on && s.feature.offOnly)) domain.set(s.feature, on);
    else notes.push(`${feature} has no libvirt ${version} spelling: guests will not get it`);
  };
  for (const f of base.plus) add(f, true);
  for (const f of [...base.minus, ...base.alsoOff].sort()) add(f, false);

  const cpu = [
    `<cpu mode='custom' match='exact' check='partial'>`,
    `  <model fallback='forbid'>${escapeXml(base.name)}</model>`,
    ...(result.physBits !== null ? [`  <maxphysaddr mode='emulate' bits='${result.physBits}'/>`] : []),
    ...cpuFeatures.map((l) => '  ' + l),
    `</cpu>`,
  ];
  return { cpu, features: domainFeatureLines(domain), notes, base };
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
  const { cpu, features, notes } = libvirtCpu(result, 'libvirt', opts.libvirt);
  const featuresBlock = features.length ? ['<features>', ...features.map((l) => '  ' + l), '</features>'] : [];
  const head = [comment(`migratable model ${result.name}: ${result.base}`), ...notes.map(comment)];
  if (opts.wrapDomain) {
    const body = [...head, ...featuresBlock, ...cpu];
    return [
      `<domain type='${opts.domainType ?? 'kvm'}'>`,
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
