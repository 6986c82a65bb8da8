/**
 * QEMU's feature_dependencies[] (target/i386/cpu.c, generated into data/kvm-offer.json), applied once in
 * table order the way x86_cpu_expand_features does: a feature whose prerequisites are all off is
 * cleared, so the promise equals what QEMU gives the guest (-arch-capabilities clears rdctl-no & co.).
 */
import { kvmOffer } from './index.js';

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
