/**
 * QEMU's feature_dependencies[] (target/i386/cpu.c, generated into data/kvm-offer.json), applied once in
 * table order the way x86_cpu_expand_features does: a feature whose prerequisites are all off is
 * cleared, so the promise equals what QEMU gives the guest (-arch-capabilities clears rdctl-no & co.).
 */
import { kvmOffer } from './index.js';
import { FEATURE_BITS } from './bit-index.js';
import { clearBit, hasBit, type Bits } from './name-bits.js';

const dependencies = kvmOffer.dependencies;

/** Clears, in place, what QEMU would clear; returns each cleared feature with the prerequisite it lacked. */
export function applyDependencies(set: Set<string>): Map<string, string> {
  const cleared = new Map<string, string>();
  for (const d of dependencies) {
    if (d.from.some((f) => set.has(f))) continue;
    for (const t of d.to) if (set.delete(t)) cleared.set(t, d.from.join('/'));
  }
  return cleared;
}

/** The table over feature bits (catalog/bit-index.ts), for readers that evaluate hundreds of CPU variants. */
const dependencyBits = dependencies.map((d) => ({
  from: d.from.map((f) => FEATURE_BITS.of(f)),
  to: d.to.map((f) => FEATURE_BITS.of(f)),
}));

/** applyDependencies over feature bits, in place. */
export function applyDependencyBits(bits: Bits): void {
  for (const d of dependencyBits) {
    if (d.from.some((f) => hasBit(bits, f))) continue;
    for (const t of d.to) clearBit(bits, t);
  }
}
