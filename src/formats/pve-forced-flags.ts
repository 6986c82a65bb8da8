/**
 * The flags Proxmox VE's qemu-server puts on -cpu by itself, whatever the VM config says
 * (PVE/QemuServer/CPUConfig.pm get_cpu_options and get_pve_cpu_flags; PVE 8.4 and 9). The config's own
 * flags come after them, so they win only when spelled the same way: hence PVE's spelling (`kvm_pv_unhalt`)
 * beside QEMU's canonical feature name.
 */
export interface PveForcedFlag {
  /** As qemu-server writes it */
  pveName: string;
  /** The canonical QEMU feature */
  feature: string;
  on: boolean;
}

/** In the order qemu-server adds them: the cpu type's own, then the PV ones every type gets. */
export function pveForcedFlags(cpuType: string): PveForcedFlag[] {
  const flags: PveForcedFlag[] = [];
  if (cpuType === 'kvm64') flags.push({ pveName: 'lahf_lm', feature: 'lahf-lm', on: true });
  if (cpuType === 'kvm64' || cpuType === 'kvm32') flags.push({ pveName: 'sep', feature: 'sep', on: true });
  if (cpuType.startsWith('Opteron')) flags.push({ pveName: 'rdtscp', feature: 'rdtscp', on: false });
  flags.push(
    { pveName: 'kvm_pv_unhalt', feature: 'kvm-pv-unhalt', on: true },
    { pveName: 'kvm_pv_eoi', feature: 'kvm-pv-eoi', on: true },
  );
  return flags;
}
