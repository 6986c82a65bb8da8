/**
 * `cpuid -r` / `cpuid -1 -r` raw dumps (Debian's cpuid tool): the host's own CPUID bits, decoded
 * through the catalog. Like cpuinfo it is the host CPU, not what KVM offers, so KVM's view is
 * applied and the profile is approximate.
 */
import { allFeatures, type Register } from '../catalog/index.js';
import { InputError } from '../errors.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import type { HostProfile } from '../profile/host-profile.js';
import { applyKvmRules, linuxHintsFromBits } from './guest-view.js';
import type { Reader } from './reader.js';

const EXPECTED = '`cpuid -r` output (lines like "0x00000007 0x00: eax=0x... ebx=0x... ecx=0x... edx=0x...")';
const LINE =
  /^\s*0x([0-9a-f]{8}) 0x([0-9a-f]{2,8}): eax=0x([0-9a-f]{8}) ebx=0x([0-9a-f]{8}) ecx=0x([0-9a-f]{8}) edx=0x([0-9a-f]{8})\s*$/i;

export type Leaves = Map<string, Record<Register, number>>;
const key = (leaf: number, sub: number) => `${leaf}.${sub}`;

/** The first CPU's leaves ("CPU 0:" or "CPU:" starts a CPU; a dump without headers is one CPU). */
export function parseCpuidRaw(text: string, where: string): Leaves {
  const leaves: Leaves = new Map();
  let cpus = 0;
  for (const line of text.split('\n')) {
    if (/^CPU( \d+)?:\s*$/.test(line)) {
      if (++cpus > 1) break;
      continue;
    }
    const m = LINE.exec(line);
    if (!m) continue;
    const [leaf, sub, eax, ebx, ecx, edx] = m.slice(1).map((h) => parseInt(h, 16));
    if (!leaves.has(key(leaf, sub))) leaves.set(key(leaf, sub), { eax, ebx, ecx, edx });
  }
  if (!leaves.has(key(0, 0)) || !leaves.has(key(1, 0)))
    throw new InputError(where, `no leaf 0x0 and 0x1 lines; expected ${EXPECTED}`);
  return leaves;
}

const ascii = (...regs: number[]) =>
  regs.map((r) => String.fromCharCode(r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, (r >>> 24) & 0xff)).join('');

/** Leaves beyond the maximum a range reports hold garbage (Intel repeats the highest basic leaf). */
function inRange(leaves: Leaves, leaf: number): boolean {
  if (leaf >= 0x40000000 && leaf < 0x80000000) return false; // hypervisor leaves: inside a VM they are the outer hypervisor's
  const base = leaf >= 0xc0000000 ? 0xc0000000 : leaf >= 0x80000000 ? 0x80000000 : 0;
  const max = leaves.get(key(base, 0))?.eax;
  return max !== undefined && max >= leaf && max - base < 0x1000;
}

/** Canonical features whose CPUID bit is set in the dump (the host's raw bits). */
export function featuresFromLeaves(leaves: Leaves): Set<string> {
  const out = new Set<string>();
  for (const f of allFeatures()) {
    const c = f.cpuid;
    if (!c || !inRange(leaves, c.leaf)) continue;
    const regs = leaves.get(key(c.leaf, c.subleaf ?? 0));
    if (regs && (regs[c.register] >>> c.bit) & 1) out.add(f.name);
  }
  return out;
}

/** Family/model/stepping from leaf 1 EAX, with the extended fields as the SDM and APM define them. */
export function signature(eax: number): { family: number; model: number; stepping: number } {
  const base = (eax >>> 8) & 0xf;
  const family = base === 0xf ? base + ((eax >>> 20) & 0xff) : base;
  const model = base === 0x6 || base === 0xf ? (((eax >>> 16) & 0xf) << 4) | ((eax >>> 4) & 0xf) : (eax >>> 4) & 0xf;
  return { family, model, stepping: eax & 0xf };
}

function readCpuidRaw(text: string, where: string, name: string): HostProfile {
  const leaves = parseCpuidRaw(text, where);
  const l0 = leaves.get(key(0, 0))!;
  const vendorId = ascii(l0.ebx, l0.edx, l0.ecx);
  const vendor = normalizeVendor(/^[\x20-\x7e]{12}$/.test(vendorId) ? vendorId : '');
  const sig = signature(leaves.get(key(1, 0))!.eax);
  const host = featuresFromLeaves(leaves);
  const view = applyKvmRules({ vendor, features: host, hints: linuxHintsFromBits(vendor, host, sig.family) });
  const l88 = inRange(leaves, 0x80000008) ? leaves.get(key(0x80000008, 0)) : undefined;
  const bits = l88 ? l88.eax & 0xff : 0;
  const brand = [2, 3, 4].map((i) => leaves.get(key(0x80000000 + i, 0)));
  const modelName =
    inRange(leaves, 0x80000004) && brand.every(Boolean)
      ? ascii(...brand.flatMap((r) => [r!.eax, r!.ebx, r!.ecx, r!.edx]))
          .replace(/\0+/g, '')
          .trim()
      : '';
  return newProfile({
    name,
    vendor,
    ...sig,
    modelName: /^[\x20-\x7e]+$/.test(modelName) ? modelName : null,
    features: view.features,
    exact: false,
    source: 'cpuid-raw',
    physBits: bits >= 32 && bits <= 64 ? bits : null,
    notes: [
      ...view.notes,
      'derived from raw CPUID (the host CPU, not what KVM offers): approximate; MSR-based features are not visible',
    ],
  });
}

export const cpuidRawReader: Reader = {
  format: 'cpuid-raw',
  describe: '`cpuid -r` raw dump (the first CPU is used)',
  detect: (text) => {
    const head = text.slice(0, 1 << 16);
    // the plain search first: a line-anchored regex tries every line of every other input (thousands of cpuinfo files)
    return head.includes('0x00000000 0x00: eax=0x') && /^[ \t]*0x00000000 0x00: eax=0x[0-9a-f]{8} /m.test(head); // [ \t], not \s: \s* spans newlines and backtracks
  },
  read: (text, where, name) => [readCpuidRaw(text, where, name)],
};
