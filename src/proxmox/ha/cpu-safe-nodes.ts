/**
 * The nodes where a VM's CPU config runs: where it starts (what `check` accepts) and where it can
 * live-migrate from its node and back, pairwise among them (so a move inside the set, after a
 * failover too, is never one the migration rules block). Pure.
 *
 * Each move is judged by the placement solver `targets` and `plan` use (TargetSolver.moveReasons),
 * so the guardrails never call safe a move those commands refuse for its CPU.
 *
 * Live moves matter to HA: maintenance mode and the CRS rebalancer live-migrate, and qemu-server
 * starts the target with the source's running -cpu (QemuMigrate.pm `--force-cpu`), so a move the
 * rules block (another vendor with hypercall PV features on, `cpu: host` on another CPU, fewer
 * address bits under phys-bits host) either fails or hands the guest a CPU it was not booted with.
 */
import { checkCell } from '../../engine/check.js';
import { parseCpuProperty } from '../../formats/pve-vm-config.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { VmCpu } from '../../profile/vm-cpu.js';
import type { ClusterVm } from '../config/cluster.js';
import { currentCpu, pinnedMachineVersion, type TargetSolver } from '../plan/targets.js';

export interface CpuSafeNodes {
  vmid: number;
  node: string;
  /** Sorted; always holds the VM's own node */
  nodes: string[];
  /** Why each other node is left out */
  left: Array<{ node: string; reasons: string[] }>;
  /** The -cpu it runs with */
  cpu: string;
}

function pendingCpu(vm: ClusterVm, customModels: CpuModelSection[]): VmCpu | null {
  const p = vm.config.sections?.find((s) => s.name === 'PENDING')?.cpu;
  if (p === undefined) return null;
  const config = { ...vm.config, cpu: parseCpuProperty(p), raw: { ...vm.config.raw, cpu: p } };
  return currentCpu({ ...vm, config }, customModels);
}

/** Results shared by VMs with the same CPU on the same node (most VMs of a cluster use a few CPU configs). */
export interface SafeNodesCache {
  results: Map<string, Omit<CpuSafeNodes, 'vmid'>>;
}

export const newSafeNodesCache = (): SafeNodesCache => ({ results: new Map() });

const cpuKey = (c: VmCpu | null) =>
  c ? JSON.stringify([c.cpu, c.model, c.features, c.physBits, c.passthrough, c.nestedVirt ?? null]) : '-';

/** Null when the VM's CPU cannot be resolved (a custom model missing from cpu-models.conf). */
export function cpuSafeNodes(
  vm: ClusterVm,
  nodes: string[],
  hosts: Map<string, HostProfile>,
  customModels: CpuModelSection[],
  solver: TargetSolver,
  cache: SafeNodesCache = newSafeNodesCache(),
): CpuSafeNodes | null {
  let cpu: VmCpu;
  let pending: VmCpu | null;
  try {
    cpu = solver.cpuOf(vm);
    pending = pendingCpu(vm, customModels);
  } catch {
    return null;
  }
  const machineVersion = pinnedMachineVersion(vm.config.raw.machine);
  const moveKey = `${cpuKey(cpu)}|${machineVersion ?? ''}`;
  const key = `${moveKey}|${cpuKey(pending)}|${vm.node}`;
  const known = cache.results.get(key);
  if (known) return { vmid: vm.vmid, ...known };
  const blockers = (from: string, to: string) => solver.moveReasons(vm, from, to);
  const left: CpuSafeNodes['left'] = [];
  const kept = [vm.node];
  for (const n of [...nodes].sort()) {
    if (n === vm.node) continue;
    // Without host data on either side nothing can be checked, so the node is not called safe
    const missing = [vm.node, n].find((x) => !hosts.has(x));
    if (missing) {
      left.push({ node: n, reasons: [`no host data for ${missing}: the move cannot be checked`] });
      continue;
    }
    const reasons = [...blockers(vm.node, n), ...blockers(n, vm.node).map((r) => `back to ${vm.node}: ${r}`)];
    for (const m of kept.filter((k) => k !== vm.node))
      if (!reasons.length && (blockers(m, n).length || blockers(n, m).length))
        reasons.push(`not between ${m} and ${n}: ${[...blockers(m, n), ...blockers(n, m)][0]}`);
    // A pending cpu: is what a cold start (an HA recovery) boots
    if (!reasons.length && pending) {
      const cell = checkCell(pending, hosts.get(n)!);
      if (!cell.ok)
        reasons.push(`the pending cpu: does not start there (${cell.missing.map((m) => m.feature).join(', ')})`);
    }
    if (reasons.length) left.push({ node: n, reasons });
    else kept.push(n);
  }
  const result = { node: vm.node, nodes: kept.sort(), left, cpu: cpu.cpu };
  cache.results.set(key, result);
  return { vmid: vm.vmid, ...result };
}
