/**
 * QEMU's side of the offer: the bits kvm_arch_get_supported_cpuid (target/i386/kvm/kvm.c) adds to or
 * removes from what KVM reports, and feature_dependencies[] (target/i386/cpu.c), read from the
 * excerpts in the reference directory and joined to catalog features by CPUID place and name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature } from '../../src/catalog/types.js';
import { statementsOf } from './c-walk.js';

export interface QemuAdjustment {
  feature: string;
  op: 'add' | 'remove';
  src: string;
}

/** A QEMU macro (CPUID_EXT_HYPERVISOR, CPUID_7_0_EDX_ARCH_CAPABILITIES) to the catalog feature at that place. */
function featureOfMacro(macro: string, features: Feature[], where?: { leaf: number; register: string }): string | null {
  const tail = macro
    .replace(/^CPUID_(?:EXT\d?_|SVM_|XSAVE_|KVM_|\d+_\d+_E[A-D]X_|\d+_E[A-D]X_|[0-9A-F]{4}_[0-9A-F]{4}_E[A-D]X_)?/, '')
    .toLowerCase();
  const spellings = [tail.replace(/_/g, '-'), tail, tail.replace(/_timer$/, '').replace(/_/g, '-')];
  const hit = features.find(
    (f) =>
      (spellings.includes(f.name) || f.aliases.some((a) => spellings.includes(a))) &&
      (!where || !f.cpuid || (f.cpuid.leaf === where.leaf && f.cpuid.register === where.register)),
  );
  return hit?.name ?? null;
}

const REG: Record<string, string> = { R_EAX: 'eax', R_EBX: 'ebx', R_ECX: 'ecx', R_EDX: 'edx' };

export function readQemuAdjustments(
  dir: string,
  features: Feature[],
  assumptions: Record<string, boolean>,
): QemuAdjustment[] {
  const src = readFileSync(join(dir, 'kvm_arch_get_supported_cpuid.c'), 'utf8');
  const out: QemuAdjustment[] = [];
  for (const s of statementsOf(src, ['kvm_arch_get_supported_cpuid'])) {
    const m = /^ret\s*(\|=|&=)\s*(~?)\s*\(?([A-Z0-9_ |]+)\)?\s*;/.exec(s.text);
    if (!m) continue; // `ret |= host & MASK` passes host bits through: KVM's own offer covers them
    const branch = s.conds.find((c) => /^function ==/.test(c));
    if (!branch) continue;
    const fn = /function == (0x[0-9a-fA-F]+|\d+|KVM_CPUID_FEATURES)/.exec(branch)![1];
    const leaf = fn === 'KVM_CPUID_FEATURES' ? 0x40000001 : Number(fn);
    const reg = REG[/reg == (R_E[A-D]X)/.exec(branch)?.[1] ?? ''];
    const others = s.conds.filter((c) => c !== branch && !c.startsWith('!(function'));
    const atoms = others.flatMap((c) => c.split('&&').map((a) => a.trim()));
    if (!atoms.every((c) => assumptions[c] === true)) continue; // not on a default QEMU machine
    for (const macro of m[3].split('|').map((x) => x.trim())) {
      const feature = featureOfMacro(macro, features, reg ? { leaf, register: reg } : undefined);
      if (feature) out.push({ feature, op: m[1] === '|=' ? 'add' : 'remove', src: `kvm.c excerpt:${s.line}` });
    }
  }
  return out;
}

export interface FeatureDependency {
  /** QEMU clears `to` when none of `from` is on */
  from: string[];
  to: string[];
}

/**
 * FEAT_* words that are not CPUID leaves the catalog knows by bit: MSR-based words (by MSR index) and
 * QEMU's VMX words. Facts from QEMU target/i386/cpu.c feature_word_info[] (7.2.0 b67b00e6, 10.0.0
 * 7c949c53): the four VMX control words are read from the TRUE_* MSRs (0x48d-0x490, the allowed-1
 * bits in 32-63), which is where QEMU's enforce warnings and the catalog place their bits; the plain
 * control MSRs (0x481-0x484) are listed too. Every MSR a catalog feature lives in must be a word here
 * (checkWordCoverage), so a dependency on a word is never dropped for want of its members.
 */
const MSR_WORDS: Record<string, number[]> = {
  FEAT_ARCH_CAPABILITIES: [0x10a],
  FEAT_CORE_CAPABILITY: [0xcf],
  FEAT_PERF_CAPABILITIES: [0x345],
  FEAT_VMX_PROCBASED_CTLS: [0x482, 0x48e],
  FEAT_VMX_PINBASED_CTLS: [0x481, 0x48d],
  FEAT_VMX_EXIT_CTLS: [0x483, 0x48f],
  FEAT_VMX_ENTRY_CTLS: [0x484, 0x490],
  FEAT_VMX_MISC: [0x485],
  FEAT_VMX_BASIC: [0x480],
  FEAT_VMX_SECONDARY_CTLS: [0x48b],
  FEAT_VMX_EPT_VPID_CAPS: [0x48c],
  FEAT_VMX_VMFUNC: [0x491],
};
const CPUID_WORDS: Record<string, [number, number, string]> = {
  FEAT_SVM: [0x8000000a, 0, 'edx'],
  FEAT_14_0_ECX: [0x14, 0, 'ecx'],
  FEAT_SGX_12_0_EAX: [0x12, 0, 'eax'],
  FEAT_SGX_12_0_EBX: [0x12, 0, 'ebx'],
  FEAT_SGX_12_1_EAX: [0x12, 1, 'eax'],
  FEAT_24_0_EBX: [0x24, 0, 'ebx'],
};

function wordMembers(word: string, features: Feature[]): string[] {
  if (!MSR_WORDS[word] && !CPUID_WORDS[word])
    throw new Error(`feature_dependencies: whole word ${word} is not in MSR_WORDS or CPUID_WORDS (qemu-offer.ts)`);
  const msrs = MSR_WORDS[word];
  if (msrs) return features.filter((f) => f.msr && msrs.includes(f.msr.index)).map((f) => f.name);
  const c = CPUID_WORDS[word];
  if (c)
    return features
      .filter((f) => f.cpuid && f.cpuid.leaf === c[0] && (f.cpuid.subleaf ?? 0) === c[1] && f.cpuid.register === c[2])
      .map((f) => f.name);
  return [];
}

/** One side of a dependency: a whole word (`~0ull`) or named bits. */
function side(word: string, mask: string, features: Feature[]): string[] {
  if (/^~0ull$|^0xffffffffull/.test(mask)) {
    const all = wordMembers(word, features);
    if (mask === '0xffffffffull') return all.filter((n) => !/^vmx-invvpid/.test(n));
    if (mask.includes('<< 32')) return all.filter((n) => /^vmx-invvpid/.test(n));
    return all;
  }
  if (/_VL_MASK$/.test(mask)) return ['avx10-128', 'avx10-256', 'avx10-512'];
  if (mask.startsWith('VMX_')) {
    const tail = mask.replace(/^VMX_(?:VM_ENTRY_|VM_EXIT_|SECONDARY_EXEC_|CPU_BASED_)/, '').toLowerCase();
    const guesses = [
      tail === 'activate_secondary_controls' ? 'vmx-secondary-ctls' : '',
      `vmx-${tail.replace(/_/g, '-')}`,
      `vmx-${tail.replace(/_exiting$/, '-exit').replace(/_/g, '-')}`,
      `vmx-${tail.replace(/^enable_/, '').replace(/_/g, '-')}`,
      `vmx-${tail.replace(/^enable_/, '').replace(/_/g, '-')}-exit`,
      `vmx-entry-${tail.replace(/_/g, '-')}`,
      `vmx-exit-${tail.replace(/_/g, '-')}`,
      `vmx-${tail.replace(/_controls$/, '-ctls').replace(/_/g, '-')}`,
    ];
    const hit = guesses.find((g) => features.some((f) => f.name === g));
    return hit ? [hit] : [];
  }
  const f = featureOfMacro(mask, features);
  return f ? [f] : [];
}

/** Throws when a catalog feature sits in an MSR no FEAT_* word above covers (its dependencies would be lost). */
export function checkWordCoverage(features: Feature[]): void {
  const covered = new Set(Object.values(MSR_WORDS).flat());
  const lost = features.filter((f) => f.msr && !covered.has(f.msr.index));
  if (lost.length)
    throw new Error(
      `feature_dependencies: no FEAT_* word for MSR ${[...new Set(lost.map((f) => '0x' + f.msr!.index.toString(16)))].join(', ')} (${lost.map((f) => f.name).join(' ')})`,
    );
}

export function readFeatureDependencies(dir: string, features: Feature[]): FeatureDependency[] {
  return parseFeatureDependencies(readFileSync(join(dir, 'feature_dependencies.c'), 'utf8'), features);
}

/** feature_dependencies[] from the text of its excerpt; features: the catalog, for names, bits and MSRs. */
export function parseFeatureDependencies(src: string, features: Feature[]): FeatureDependency[] {
  checkWordCoverage(features);
  const out: FeatureDependency[] = [];
  const re = /\.from\s*=\s*\{\s*(FEAT_\w+),\s*([^}]+?)\s*\},\s*\.to\s*=\s*\{\s*(FEAT_\w+),\s*([^}]+?)\s*\}/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const from = side(m[1], m[2], features);
    const to = side(m[3], m[4], features);
    if (!from.length) throw new Error(`feature_dependencies: cannot name ${m[0].replace(/\s+/g, ' ')}`);
    // A word with no catalog feature in it (QEMU 7.2 has no PERF_CAPABILITIES bit names) clears nothing
    if (to.length) out.push({ from, to });
  }
  return out;
}
