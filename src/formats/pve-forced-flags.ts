/**
 * The flags Proxmox VE's qemu-server puts on -cpu by itself, whatever the VM config says
 * (PVE/QemuServer/CPUConfig.pm get_pve_cpu_flags, per release in data/proxmox.json with its reasons). The
 * config's own flags come after them, so they win only when spelled the same way: hence PVE's spelling
 * (`kvm_pv_unhalt`) beside QEMU's canonical feature name.
 */
import { pveCpuFlags } from '../catalog/proxmox.js';

export interface PveForcedFlag {
  /** As qemu-server writes it */
  pveName: string;
  /** The canonical QEMU feature */
  feature: string;
  on: boolean;
}

/**
 * In the order qemu-server adds them: the cpu type's own, then the PV ones every type gets (a KVM
 * guest of a current machine type whose ostype, Windows and QEMU versions are not known).
 */
export function pveForcedFlags(cpuType: string): PveForcedFlag[] {
  return pveCpuFlags({ cpuType })
    .filter((f) => f.feature !== null)
    .map((f) => ({ pveName: f.flag, feature: f.feature!, on: f.op === '+' }));
}
