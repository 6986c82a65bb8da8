/**
 * Which VMs use which custom model, from the cluster's VM configs. A model is in use when a VM's
 * current config names it (`cpu: custom-NAME`), when its `[PENDING]` section does (the VM starts
 * with it next) or when a snapshot does (a rollback restores that cpu: line). Pure.
 */
import { parseCpuProperty } from '../../formats/pve-vm-config.js';
import type { ClusterVm } from '../config/cluster.js';

export interface ModelUse {
  vmid: number;
  name?: string;
  node: string;
  /** `config`, `pending` or `snapshot NAME` */
  via: string;
  /** From the API; null when unknown (a copy of /etc/pve) */
  running: boolean | null;
}

/** The custom model a cpu: value names, or undefined (also for a value PVE would refuse). */
function customModelOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseCpuProperty(value).customModel;
  } catch {
    return undefined;
  }
}

/** Every use of every custom model, by model name. */
export function modelUses(vms: ClusterVm[]): Map<string, ModelUse[]> {
  const uses = new Map<string, ModelUse[]>();
  const add = (model: string | undefined, vm: ClusterVm, via: string) => {
    if (!model) return;
    const list = uses.get(model) ?? [];
    list.push({
      vmid: vm.vmid,
      ...(vm.config.name ? { name: vm.config.name } : {}),
      node: vm.node,
      via,
      running: vm.running,
    });
    uses.set(model, list);
  };
  for (const vm of [...vms].sort((a, b) => a.vmid - b.vmid)) {
    // An args: -cpu overrides the cpu: line at start, but the line still names the model
    add(vm.config.cpu?.customModel, vm, 'config');
    for (const s of vm.config.sections ?? [])
      add(customModelOf(s.cpu), vm, s.name === 'PENDING' ? 'pending' : `snapshot ${s.name}`);
  }
  return uses;
}

/** "101 (db1), 102 pending, 103 snapshot pre-upgrade": for messages. */
export function describeUses(list: ModelUse[]): string {
  return list.map((u) => `${u.vmid}${u.name ? ` (${u.name})` : ''}${u.via === 'config' ? '' : ` ${u.via}`}`).join(', ');
}
