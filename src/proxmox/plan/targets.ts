/**
 * Where a VM of the cluster can live-migrate now: the CPU it runs with, through qemu-server's own
 * rules, against each node of its domain. The blockers themselves are the engine's migration rules.
 */
import { migrationBlockers } from '../../engine/migration.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { VmCpu } from '../../profile/vm-cpu.js';
import { vmFromPveConfig } from '../../sources/vm/pve.js';
import type { ClusterVm } from '../config/cluster.js';
import type { PlanBlocked } from './types.js';

/** `pc-i440fx-8.1+pve0`, `pc-q35-7.2`, `type=pc-q35-9.0,viommu=intel` -> 8.1 / 7.2 / 9.0; unpinned -> undefined */
export function pinnedMachineVersion(machine: string | undefined): string | undefined {
  return machine ? /(?:^|[,=])pc-(?:i440fx|q35)-(\d+\.\d+)/.exec(machine)?.[1] : undefined;
}

/** The CPU a VM requests now, through Proxmox's own rules (implicit kvm64, +kvm_pv_unhalt, ...). */
export function currentCpu(vm: ClusterVm, customModels: CpuModelSection[]): VmCpu {
  const label = vm.config.name ? `${vm.vmid} (${vm.config.name})` : String(vm.vmid);
  return vmFromPveConfig(vm.config, vm.where, label, new Map(customModels.map((m) => [m.name, m])));
}

/** Live targets and blocked nodes of one VM, with the CPU it runs with. */
export function vmTargets(
  vm: ClusterVm,
  cpu: VmCpu,
  domain: string[],
  hosts: Map<string, HostProfile>,
): { liveTargets: string[]; blocked: PlanBlocked[] } {
  const source = hosts.get(vm.node)!;
  const machineVersion = pinnedMachineVersion(vm.config.raw.machine);
  const liveTargets: string[] = [];
  const blocked: PlanBlocked[] = [];
  for (const node of domain) {
    if (node === vm.node) continue;
    const reasons = migrationBlockers({ vm: cpu, source, target: hosts.get(node)!, machineVersion });
    if (reasons.length) blocked.push({ node, reasons });
    else liveTargets.push(node);
  }
  return { liveTargets, blocked };
}
