/**
 * Linux's names for CPUID bits, per release: arch/x86/include/asm/cpufeatures.h (X86_FEATURE_* =
 * word*32+bit, the word's CPUID leaf in the comment above it, the /proc/cpuinfo name in the comment
 * after it) and KVM's own words (reverse_cpuid.h / cpuid.h: KVM_X86_FEATURE(CPUID_x, bit) and the
 * reverse_cpuid[] table).
 */
import type { Register } from '../../src/catalog/types.js';

export interface CpuidLocation {
  leaf: number;
  subleaf: number;
  register: Register;
}

export interface LinuxBit {
  name: string;
  /** word*32+bit as cpufeatures.h defines it; null for KVM-only bits */
  value: number | null;
  /** CPUID location of the bit, null for Linux-defined (synthetic, scattered) words */
  location: (CpuidLocation & { bit: number }) | null;
  /** The /proc/cpuinfo name, null when the kernel hides the flag */
  cpuinfo: string | null;
  /** KVM reads the bit at a place of its own (reverse_cpuid.h KVM_X86_FEATURE) */
  kvmWord?: boolean;
}

export interface LinuxHeaders {
  bits: Map<string, LinuxBit>;
  /** X86_BUG_* -> cpuinfo "bugs" name */
  bugs: Map<string, string>;
  /** CPUID_1_ECX & co. -> location (reverse_cpuid[]) */
  words: Map<string, CpuidLocation>;
}

const REG: Record<string, Register> = { EAX: 'eax', EBX: 'ebx', ECX: 'ecx', EDX: 'edx' };

/** "CPUID level 0x00000007:0 (EBX), word 9" and its variants, to word -> location. */
function wordLocations(src: string): Map<number, CpuidLocation> {
  const out = new Map<number, CpuidLocation>();
  const re = /CPUID level (0x[0-9a-fA-F]+)(?::(\d))?[, ]*\(?(EAX|EBX|ECX|EDX)?\)?[^\n]*?word (\d+)/g;
  for (let m = re.exec(src); m; m = re.exec(src))
    out.set(Number(m[4]), { leaf: parseInt(m[1], 16), subleaf: Number(m[2] ?? 0), register: REG[m[3] ?? 'EDX'] });
  return out;
}

/** The cpuinfo name of a cpufeatures.h line. Old kernels hide names with `""`; new ones show only quoted names. */
function cpuinfoName(name: string, comment: string, newStyle: boolean): string | null {
  const q = /^\s*"([^"]*)"/.exec(comment);
  if (q) return q[1] || null;
  return newStyle ? null : name.toLowerCase();
}

export function readCpufeatures(src: string): Pick<LinuxHeaders, 'bits' | 'bugs'> {
  const words = wordLocations(src);
  const newStyle = !src.includes('/* ""');
  const bits = new Map<string, LinuxBit>();
  const bugs = new Map<string, string>();
  const re =
    /^#define X86_(FEATURE|BUG)_(\w+)\s+(?:\(\s*(\d+)\s*\*\s*32\s*\+\s*(\d+)\s*\)|X86_BUG\((\d+)\))[ \t]*(?:\/\*(.*?)\*\/)?/gm;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const [, kind, name, word, bit, , comment = ''] = m;
    if (kind === 'BUG') {
      const shown = cpuinfoName(name, comment, newStyle);
      if (shown) bugs.set(name, shown);
      continue;
    }
    if (word === undefined) continue;
    const w = Number(word),
      b = Number(bit);
    const loc = words.get(w);
    bits.set(name, {
      name,
      value: w * 32 + b,
      location: loc ? { ...loc, bit: b } : null,
      cpuinfo: cpuinfoName(name, comment, newStyle),
    });
  }
  return { bits, bugs };
}

/** reverse_cpuid[] rows and KVM-only bits (KVM_X86_FEATURE(CPUID_x, n)). */
export function readKvmWords(src: string, bits: Map<string, LinuxBit>): Map<string, CpuidLocation> {
  const words = new Map<string, CpuidLocation>();
  const row = /\[(CPUID_\w+)\]\s*=\s*\{\s*(0x[0-9a-fA-F]+|\d+)\s*,\s*(\d+)\s*,\s*CPUID_(E[A-D]X)\s*\}/g;
  for (let m = row.exec(src); m; m = row.exec(src))
    words.set(m[1], { leaf: Number(m[2]), subleaf: Number(m[3]), register: REG[m[4]] });
  const kvmOnly = /#define\s+(?:KVM_)?X86_FEATURE_(\w+)\s+KVM_X86_FEATURE\((CPUID_\w+),\s*(\d+)\)/g;
  for (let m = kvmOnly.exec(src); m; m = kvmOnly.exec(src)) {
    const loc = words.get(m[2]);
    if (!loc) continue;
    const prev = bits.get(m[1]);
    // A scattered Linux bit keeps its cpuinfo name; KVM reads it at its real CPUID place
    bits.set(m[1], {
      name: m[1],
      value: prev?.value ?? null,
      location: { ...loc, bit: Number(m[3]) },
      cpuinfo: prev?.cpuinfo ?? null,
      kvmWord: true,
    });
  }
  return words;
}

export function readHeaders(cpufeatures: string, kvmHeaders: string[]): LinuxHeaders {
  const { bits, bugs } = readCpufeatures(cpufeatures);
  const words = new Map<string, CpuidLocation>();
  for (const h of kvmHeaders) for (const [k, v] of readKvmWords(h, bits)) words.set(k, v);
  return { bits, bugs, words };
}
