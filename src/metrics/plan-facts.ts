/** The plan's share of the metrics: per VM its targets and model, per CPU type its VMs. Pure. */
import { PVE_DEFAULT_CPUTYPE } from '../formats/pve-vm-config.js';
import type { ClusterConfig, ClusterVm, Plan } from '../proxmox/plan/types.js';
import type { PlanFacts, VmFacts } from './facts.js';
import { runsOutdatedModel } from './outdated.js';

/** The CPU type the VM runs: an `args: -cpu` override's model wins over the cpu: line, as in qemu-server. */
export function vmCpuType(vm: ClusterVm): string {
  if (vm.config.argsCpu) return vm.config.argsCpu.split(',')[0];
  return vm.config.cpu?.type ?? PVE_DEFAULT_CPUTYPE;
}

export function planFacts(cluster: Pick<ClusterConfig, 'vms' | 'customModels'>, plan: Plan): PlanFacts {
  const configs = new Map(cluster.vms.map((vm) => [vm.vmid, vm]));
  const vms: VmFacts[] = plan.vms.map((p) => {
    const vm = configs.get(p.vmid);
    const cpu = vm ? vmCpuType(vm) : PVE_DEFAULT_CPUTYPE;
    const facts = {
      vmid: p.vmid,
      ...(p.name ? { name: p.name } : {}),
      node: p.node,
      cpu,
      domainModel: `custom-${p.model}`,
      domainTargets: p.domain.filter((n) => n !== p.node).length,
      liveTargets: p.liveTargets.length,
      changeNeeded: p.action === 'change-model',
    };
    return { ...facts, outdated: runsOutdatedModel(p.vmid, plan.versions) };
  });
  const count = new Map<string, number>(cluster.customModels.map((m) => [`custom-${m.name}`, 0]));
  for (const v of vms) count.set(v.cpu, (count.get(v.cpu) ?? 0) + 1);
  const models = [...count].sort(([a], [b]) => a.localeCompare(b)).map(([model, n]) => ({ model, vms: n }));
  return { vms, models };
}
