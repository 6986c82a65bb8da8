/** What Proxmox VE itself adds to -cpu and which model names it accepts (notes/proxmox.md §3, §4). */
import type { Model } from '../catalog/index.js';
import { pveForcedFlags as forcedFlags } from '../formats/pve-forced-flags.js';

/**
 * reported-model values of PVE 8.4 (qemu-server stable-bookworm $cpu_vendor_list). PVE 9 accepts all
 * of these too; its longer list depends on the installed pve-qemu, so we stay within this one.
 */
const PVE8_REPORTED_MODELS = new Set(
  (
    '486 pentium pentium2 pentium3 coreduo core2duo Conroe Penryn Nehalem Nehalem-IBRS Westmere Westmere-IBRS ' +
    'SandyBridge SandyBridge-IBRS IvyBridge IvyBridge-IBRS Haswell Haswell-IBRS Haswell-noTSX Haswell-noTSX-IBRS ' +
    'Broadwell Broadwell-IBRS Broadwell-noTSX Broadwell-noTSX-IBRS Skylake-Client Skylake-Client-IBRS ' +
    'Skylake-Client-noTSX-IBRS Skylake-Client-v4 Skylake-Server Skylake-Server-IBRS Skylake-Server-noTSX-IBRS ' +
    'Skylake-Server-v4 Skylake-Server-v5 Cascadelake-Server Cascadelake-Server-v2 Cascadelake-Server-noTSX ' +
    'Cascadelake-Server-v4 Cascadelake-Server-v5 Cooperlake Cooperlake-v2 KnightsMill Icelake-Server ' +
    'Icelake-Server-noTSX Icelake-Server-v3 Icelake-Server-v4 Icelake-Server-v5 Icelake-Server-v6 SapphireRapids ' +
    'SapphireRapids-v2 GraniteRapids athlon phenom Opteron_G1 Opteron_G2 Opteron_G3 Opteron_G4 Opteron_G5 EPYC ' +
    'EPYC-IBPB EPYC-v3 EPYC-v4 EPYC-Rome EPYC-Rome-v2 EPYC-Rome-v3 EPYC-Rome-v4 EPYC-Milan EPYC-Milan-v2 EPYC-Genoa ' +
    'kvm32 kvm64 qemu32 qemu64'
  ).split(' '),
);

export interface PveReportedModel {
  name: string;
  /** False when PVE 8 rejects the name (only PVE 9 with a recent pve-qemu knows it) */
  pve8: boolean;
}

/** The spelling of the base that PVE 8 and 9 both accept, when there is one. */
export function pveReportedModel(model: Model): PveReportedModel {
  const pick = [model.name, ...model.aliases].find((n) => PVE8_REPORTED_MODELS.has(n));
  return pick ? { name: pick, pve8: true } : { name: model.name, pve8: false };
}

/** True when PVE forces vendor=<model vendor> for this reported-model (all but the generic models). */
export function pveForcesVendor(model: Model): boolean {
  return model.vendor !== null;
}

/** The flags PVE forces for this reported-model (formats/pve-forced-flags.ts), keyed by PVE's spelling. */
export function pveForcedFlags(reportedModel: string): Map<string, { feature: string; on: boolean }> {
  return new Map(forcedFlags(reportedModel).map(({ pveName, feature, on }) => [pveName, { feature, on }]));
}
