/** QEMU's x86 CPU options that are not CPUID features (data/qemu-cpu.json, asked of the real QEMUs). */
import qemuCpuData from '../../data/qemu-cpu.json' with { type: 'json' };
import type { QemuCpuData } from './types.js';

const { properties, defaultPhysBits } = qemuCpuData as QemuCpuData;

/** The smallest phys-bits any known QEMU gives a named model started without it (TCG_PHYS_ADDR_BITS, 40). */
export const QEMU_DEFAULT_PHYS_BITS = Math.min(...Object.values(defaultPhysBits));

/** A -cpu property by the name as written (in any QEMU release); QEMU's parser also reads `_` as `-` (hv_relaxed). */
export function cpuProperty(name: string): QemuCpuData['properties'][string] | undefined {
  for (const n of [name, name.replace(/_/g, '-')]) if (Object.hasOwn(properties, n)) return properties[n];
  return undefined;
}

/** The on/off properties whose name starts with `prefix` (hv-: the Hyper-V enlightenments). */
export function booleanCpuProperties(prefix: string): string[] {
  return Object.entries(properties)
    .filter(([n, p]) => p.type === 'bool' && n.startsWith(prefix))
    .map(([n]) => n);
}
