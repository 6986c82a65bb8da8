/**
 * Where a VM of the cluster can live-migrate now: the CPU it runs with, through qemu-server's own
 * rules, against each node of its domain, plus what else stops a move there. One function answers
 * for `plan` (every VM), `targets VMID` (one VM, with only what it needs read), `serve`, `drain`,
 * the HA guardrails (moveReasons) and the model versions: one placement model for every command. Pure.
 *
 * What stops a move to a node, in the order the reasons are listed:
 * - the node is offline, or there is no host data for it (nothing can be checked there);
 * - the VM is a template or locked (./state.ts);
 * - its CPU: the engine's migration rules (engine/migration.ts), from the node it runs on;
 * - HA keep-apart: a managed partner is on that node. pve-ha-manager refuses the move ("service
 *   'SID' on node 'N' in negative affinity with service 'SID'", Manager.pm queue_resource_motion,
 *   git b71218f = 5.2.0), and the migrate precondition lists it (Config.pm get_resource_motion_info);
 * - HA keep-together: the managed partners move with it to the same node (queue_resource_motion
 *   queues them; the precondition calls them dependent-ha-resources), so each must be able to go
 *   there too: live if it runs, or start there if it is stopped. The targets are the intersection.
 * Both relations come from the compiled rules (../ha/compile.ts), partners inherited included, and
 * only for a VM HA manages (an unmanaged or `ignored` one is moved by qm migrate directly).
 */
import { migrationBlockers, startBlockersByRule } from '../../engine/migration.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { VmCpu } from '../../profile/vm-cpu.js';
import { vmFromPveConfig } from '../../sources/vm/pve.js';
import type { ClusterVm } from '../config/cluster.js';
import { compileHa, type CompiledHa } from '../ha/compile.js';
import { haSid } from '../ha/domains.js';
import { stateBlocker, vmState, type VmState } from './state.js';
import type { PlanBlocked, PlanInput } from './types.js';

/** `pc-i440fx-8.1+pve0`, `pc-q35-7.2`, `type=pc-q35-9.0,viommu=intel` -> 8.1 / 7.2 / 9.0; unpinned -> undefined */
export function pinnedMachineVersion(machine: string | undefined): string | undefined {
  return machine ? /(?:^|[,=])pc-(?:i440fx|q35)-(\d+\.\d+)/.exec(machine)?.[1] : undefined;
}

const vmLabel = (vm: ClusterVm) => (vm.config.name ? `${vm.vmid} (${vm.config.name})` : String(vm.vmid));

/** The CPU a VM requests now, through Proxmox's own rules (implicit kvm64, +kvm_pv_unhalt, ...). */
export function currentCpu(vm: ClusterVm, customModels: CpuModelSection[], modelsFile?: string): VmCpu {
  return vmFromPveConfig(vm.config, vm.where, vmLabel(vm), new Map(customModels.map((m) => [m.name, m])), modelsFile);
}

export interface TargetInputs {
  nodes: string[];
  hosts: Map<string, HostProfile>;
  offline?: Iterable<string>;
  ha: CompiledHa;
  /** The VMs read: at least the one asked about and its keep-together partners */
  vms: Map<number, ClusterVm>;
  /** Every VM's node, read or not (keep-apart partners need only this) */
  locations: Map<number, string>;
  /** Every container's node: HA rules may keep a VM apart from a container */
  containers?: Map<number, string>;
  customModels: CpuModelSection[];
  customModelsFrom?: string;
}

export interface VmTargets {
  cpu: VmCpu;
  state: VmState;
  /** Running now: false for templates and VMs known to be stopped, null when unknown */
  running: boolean | null;
  liveTargets: string[];
  /** Every domain node but its own that is no live target, with why */
  blocked: PlanBlocked[];
  /** Domain nodes its own CPU cannot run on or move to: what a model change fixes */
  cpuBlocked: string[];
  /** Domain nodes nothing can be checked on (no host data, offline) */
  unknown: string[];
  /** Managed HA resources that move with it (keep-together) and that it is kept apart from */
  together: string[];
  apart: string[];
  notes: string[];
}

const idOf = (sid: string) => (/^vm:(\d+)$/.exec(sid) ? Number(sid.slice(3)) : undefined);
const ctIdOf = (sid: string) => (/^ct:(\d+)$/.exec(sid) ? Number(sid.slice(3)) : undefined);

/** Caches what many VMs share: the CPU a cpu:/args: pair resolves to, and each move's blockers. */
export class TargetSolver {
  private readonly cpus = new Map<string, VmCpu>();
  private readonly moves = new Map<number, string[]>();
  private readonly starts = new Map<number, string[][]>();
  private readonly modelsByName: Map<string, CpuModelSection>;
  private readonly offline: Set<string>;

  constructor(private readonly inputs: TargetInputs) {
    this.modelsByName = new Map(inputs.customModels.map((m) => [m.name, m]));
    this.offline = new Set(inputs.offline ?? []);
  }

  /** Why nothing can be checked on this node, if so. */
  unavailable(node: string): string | undefined {
    if (this.offline.has(node)) return 'node is offline';
    if (!this.inputs.hosts.has(node))
      return `no host data for ${node} (give a profile named ${node}, or scan it): nothing can be checked there`;
    return undefined;
  }

  cpuOf(vm: ClusterVm): VmCpu {
    const key = `${vm.config.raw.cpu ?? ''}\u0000${vm.config.argsCpu ?? ''}`;
    const hit = this.cpus.get(key);
    if (hit) return { ...hit, name: vmLabel(vm) };
    const cpu = vmFromPveConfig(vm.config, vm.where, vmLabel(vm), this.modelsByName, this.inputs.customModelsFrom);
    this.cpus.set(key, cpu);
    return cpu;
  }

  /** A small number per distinct cpu:/args: pair (and per node), so cache keys are numbers, not strings. */
  private readonly cpuIds = new Map<string, number>();
  private readonly nodeIds = new Map<string, number>();

  private idOf(map: Map<string, number>, key: string): number {
    let id = map.get(key);
    if (id === undefined) map.set(key, (id = map.size));
    return id;
  }

  /** The cache ids of one VM's moves: its CPU, and its CPU with pinned machine and node. */
  private moveKeys(vm: ClusterVm): { cpuId: number; moveId: number; machine: string | undefined } {
    const machine = pinnedMachineVersion(vm.config.raw.machine);
    const cpuId = this.idOf(this.cpuIds, `${vm.config.raw.cpu ?? ''}\u0000${vm.config.argsCpu ?? ''}`);
    return { cpuId, moveId: this.idOf(this.cpuIds, `${cpuId}\u0000${machine ?? ''}\u0000${vm.node}`), machine };
  }

  /** The engine's reasons this VM cannot live-migrate (or, stopped, start) on `target`. */
  private cpuReasons(
    vm: ClusterVm,
    cpu: VmCpu,
    target: string,
    live: boolean,
    keys: ReturnType<TargetSolver['moveKeys']> = this.moveKeys(vm),
  ): string[] {
    const t = this.idOf(this.nodeIds, target);
    // What keeps the CPU from starting there depends on the CPU and the target only: once per pair
    const startKey = keys.cpuId * 65536 + t;
    let start = this.starts.get(startKey);
    if (!start) {
      start = startBlockersByRule(cpu, this.inputs.hosts.get(target)!);
      this.starts.set(startKey, start);
    }
    if (!live) return start.flat();
    const key = keys.moveId * 65536 + t;
    let reasons = this.moves.get(key);
    if (!reasons) {
      const source = this.inputs.hosts.get(vm.node)!;
      const ctx = { vm: cpu, source, target: this.inputs.hosts.get(target)!, machineVersion: keys.machine };
      reasons = migrationBlockers(ctx, start);
      this.moves.set(key, reasons);
    }
    return reasons;
  }

  private managedPartners(vm: ClusterVm, rel: Map<string, Set<string>>): string[] {
    const sid = haSid(vm.vmid);
    if (!this.inputs.ha.managed.has(sid)) return [];
    return [...(rel.get(sid) ?? [])].filter((s) => this.inputs.ha.managed.has(s)).sort();
  }

  /** Why a keep-together partner cannot come along to `node`. */
  private partnerReasons(sid: string, node: string): string[] {
    const id = idOf(sid);
    const where = id === undefined ? undefined : this.inputs.locations.get(id);
    // a container (no CPU model to check; it restarts on the target) or a VM without a config here
    if (where === undefined) return [];
    if (where === node) return [];
    const partner = this.inputs.vms.get(id!);
    if (!partner) throw new Error(`internal: keep-together partner ${sid} was not read`);
    const state = stateBlocker(vmState(partner));
    if (state) return [`${sid} moves with it (keep-together) and cannot: ${state}`];
    const why = this.unavailable(where);
    if (why) return [`${sid} moves with it (keep-together) from ${where}: ${why}`];
    const live = partner.running !== false;
    return this.cpuReasons(partner, this.cpuOf(partner), node, live).map(
      (r) => `${sid} moves with it (keep-together) and cannot ${live ? 'live-migrate' : 'start'} there: ${r}`,
    );
  }

  /**
   * The engine's reasons the VM's CPU cannot live-migrate from `from` to `to`, as if it ran on
   * `from` (both need host data): the CPU part of vmTargets, for callers that ask about every pair of
   * nodes (the HA guardrails' CPU-safe node sets).
   */
  moveReasons(vm: ClusterVm, from: string, to: string): string[] {
    const moved = from === vm.node ? vm : { ...vm, node: from };
    return this.cpuReasons(moved, this.cpuOf(vm), to, true);
  }

  /** The managed HA resources kept on the same node as this VM (they move with it). */
  togetherWith(vm: ClusterVm): string[] {
    return this.managedPartners(vm, this.inputs.ha.together);
  }

  /** Node -> the managed keep-apart partners of this VM on it: nodes HA never moves it to. */
  apartNodes(vm: ClusterVm): Map<string, string[]> {
    const apartOn = new Map<string, string[]>();
    for (const sid of this.managedPartners(vm, this.inputs.ha.apart)) {
      const [id, ct] = [idOf(sid), ctIdOf(sid)];
      const node =
        id !== undefined
          ? this.inputs.locations.get(id)
          : ct !== undefined
            ? this.inputs.containers?.get(ct)
            : undefined;
      if (node) apartOn.set(node, [...(apartOn.get(node) ?? []), sid]);
    }
    return apartOn;
  }

  /**
   * Where the VM may go by a cold move (shut down, offline migration, start there): the nodes of
   * `domain` with host data where its CPU starts and no keep-apart partner runs, with every
   * keep-together partner able to start there as well. A template never starts, so its CPU does not
   * matter; a locked VM goes nowhere (check_lock refuses an offline migration too).
   */
  coldTargets(vm: ClusterVm, domain: string[]): string[] {
    const state = vmState(vm);
    if (state.lock) return [];
    const apartOn = this.apartNodes(vm);
    const cpu = this.cpuOf(vm);
    const together = this.togetherWith(vm);
    return domain.filter(
      (node) =>
        node !== vm.node &&
        !this.unavailable(node) &&
        !apartOn.has(node) &&
        (state.template || this.cpuReasons(vm, cpu, node, false).length === 0) &&
        together.every((sid) => this.coldPartnerReasons(sid, node).length === 0),
    );
  }

  /** Why a keep-together partner cannot start on `node` after a cold move of the bundle. */
  private coldPartnerReasons(sid: string, node: string): string[] {
    const id = idOf(sid);
    const partner = id === undefined ? undefined : this.inputs.vms.get(id);
    if (!partner || partner.node === node) return [];
    const state = vmState(partner);
    if (state.lock) return [`${sid} is locked (${state.lock})`];
    if (state.template) return [];
    return this.cpuReasons(partner, this.cpuOf(partner), node, false);
  }

  vmTargets(vm: ClusterVm, domain: string[]): VmTargets {
    const cpu = this.cpuOf(vm);
    const state = vmState(vm);
    const together = this.togetherWith(vm);
    const apart = this.managedPartners(vm, this.inputs.ha.apart);
    const apartOn = this.apartNodes(vm);
    const stateWhy = stateBlocker(state);
    const sourceWhy = this.unavailable(vm.node);
    const keys = this.moveKeys(vm);
    const out: VmTargets = {
      cpu,
      state,
      running: state.template ? false : vm.running,
      liveTargets: [],
      blocked: [],
      cpuBlocked: [],
      unknown: [],
      together,
      apart,
      notes: [],
    };
    if (sourceWhy) out.notes.push(`its node ${vm.node}: ${sourceWhy}, so no move from there can be checked`);
    for (const node of domain) {
      if (node === vm.node) continue;
      const reasons: string[] = [];
      const ha: NonNullable<PlanBlocked['ha']> = [];
      const targetWhy = this.unavailable(node);
      if (targetWhy) {
        reasons.push(targetWhy);
        out.unknown.push(node);
      }
      if (stateWhy) reasons.push(stateWhy);
      if (sourceWhy) reasons.push(`no host data for ${vm.node}, where the VM is: the move cannot be checked`);
      else if (!targetWhy) {
        const cpuWhy = this.cpuReasons(vm, cpu, node, true, keys);
        if (cpuWhy.length) out.cpuBlocked.push(node);
        reasons.push(...cpuWhy);
      }
      for (const sid of apartOn.get(node) ?? []) {
        reasons.push(`${sid} is on this node, and HA keeps it apart from this VM (resource-affinity)`);
        ha.push({ sid, cause: 'resource-affinity' });
      }
      if (!targetWhy)
        for (const sid of together) {
          const why = this.partnerReasons(sid, node);
          reasons.push(...why);
          if (why.length) ha.push({ sid, cause: 'resource-affinity' });
        }
      if (reasons.length) out.blocked.push({ node, reasons, ...(ha.length ? { ha } : {}) });
      else out.liveTargets.push(node);
    }
    return out;
  }
}

/** The solver's inputs for a cluster read whole (plan) or in part (targets). */
export function targetInputs(input: PlanInput, ha: CompiledHa = compileHa(input.ha, input.nodes)): TargetInputs {
  return {
    nodes: input.nodes,
    hosts: new Map(input.hosts.filter((h) => input.nodes.includes(h.name)).map((h) => [h.name, h])),
    offline: input.offline ?? [],
    ha,
    vms: new Map(input.vms.map((v) => [v.vmid, v])),
    locations: input.locations ?? new Map(input.vms.map((v) => [v.vmid, v.node])),
    ...(input.containers ? { containers: input.containers } : {}),
    customModels: input.customModels,
    ...(input.customModelsFrom ? { customModelsFrom: input.customModelsFrom } : {}),
  };
}
