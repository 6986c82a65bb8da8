/**
 * Which phys-bits a model pins. A guest with more physical address bits than its host can place
 * memory or MMIO where the host cannot reach and panic after a live migration, so the pin is never
 * above a known host width. A host whose width is unknown gets no larger pin than QEMU's own
 * default, which every VM started there without phys-bits already has.
 */
import type { HostProfile } from '../profile/host-profile.js';
import { QEMU_DEFAULT_PHYS_BITS } from '../catalog/qemu-cpu.js';

/**
 * QEMU's width for a 64-bit named model without phys-bits: TCG_PHYS_ADDR_BITS (target/i386/cpu.c,
 * x86_cpu_realizefn), as each snapshot's QEMU answers it (data/qemu-cpu.json).
 */
export { QEMU_DEFAULT_PHYS_BITS };

export interface PhysBitsChoice {
  /** The value to pin */
  physBits: number;
  /** The smallest width a host reported, or null when none did */
  smallestKnown: number | null;
  /** Hosts that did not report a width */
  unknownOn: string[];
}

export function choosePhysBits(hosts: HostProfile[]): PhysBitsChoice {
  let smallestKnown: number | null = null;
  const unknownOn: string[] = [];
  // An index loop: a for-of allocates an iterator result per host until the optimizing compiler steps in
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i];
    if (h.physBits === null) unknownOn.push(h.name);
    else if (smallestKnown === null || h.physBits < smallestKnown) smallestKnown = h.physBits;
  }
  const physBits =
    unknownOn.length === 0 && smallestKnown !== null
      ? smallestKnown
      : Math.min(smallestKnown ?? QEMU_DEFAULT_PHYS_BITS, QEMU_DEFAULT_PHYS_BITS);
  return { physBits, smallestKnown, unknownOn };
}
