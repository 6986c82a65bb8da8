/** DMI strings that name a virtual machine (data/dmi-virtual.json, from systemd's src/basic/virt.c at a cited commit). */
import dmiVirtualData from '../../data/dmi-virtual.json' with { type: 'json' };
import type { DmiVirtualData } from './types.js';

export const dmiVirtual = dmiVirtualData as DmiVirtualData;
