/** What Proxmox VE itself adds to -cpu and which model names it accepts (notes/proxmox.md §3, §4). */
import type { Model } from '../catalog/index.js';
import { pveForcedFlags } from '../formats/pve-forced-flags.js';

/** True when PVE forces vendor=<model vendor> for this reported-model (all but the generic models). */
export function pveForcesVendor(model: Model): boolean {
  return model.vendor !== null;
}

/** The flags PVE forces for this reported-model (formats/pve-forced-flags.ts), keyed by PVE's spelling. */
export function pveForcedFlagsByName(reportedModel: string): Map<string, { feature: string; on: boolean }> {
  return new Map(pveForcedFlags(reportedModel).map(({ pveName, feature, on }) => [pveName, { feature, on }]));
}
