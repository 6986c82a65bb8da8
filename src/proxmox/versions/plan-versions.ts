/**
 * `plan`'s per-VM view of model versions: which VMs run an older version of their model or a model
 * that no longer fits their domain, the power-cycle list (VMs that need a full stop and start, with
 * the qm lines), and the versions no VM needs any more. Pure.
 *
 * A running VM keeps the CPU it booted with until a full stop and start (qemu-server: pending cpu
 * changes apply at the next start; `qm reboot` is that stop and start), so a move to a newer version
 * is a `qm set` plus a power cycle; a stopped VM only needs the `qm set`.
 */
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import { parseCpuProperty } from '../../formats/pve-vm-config.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { ModelVersionRecord } from '../../fleet/inventory/index.js';
import { qmRebootCommand, qmSetCpuCommand } from '../commands.js';
import type { ClusterVm } from '../config/cluster.js';
import { TargetSolver, targetInputs } from '../plan/targets.js';
import type { Plan, PlanInput, PlanVm } from '../plan/types.js';
import { contentHash, shortHash } from './content.js';
import { familyMembers, familyOf } from './naming.js';
import { latestRecords } from './provenance.js';
import { newerVersionOf } from './prune.js';
import { modelUses, type ModelUse } from './usage.js';

export interface ModelVersionInfo {
  name: string;
  family: string;
  version: number;
  hash: string;
  usedBy: ModelUse[];
  /** From the inventory, when `plan --inventory` has a record of it */
  provenance?: { hosts: string[]; recordedAt: string; toolVersion: string };
}

export type VmVersionStatus =
  /** on the newest version of its model, and it fits its domain */
  | 'current'
  /** a newer version of its model is in cpu-models.conf */
  | 'older-version'
  /** its CPU cannot reach every node of its domain (the plan's change-model) */
  | 'no-fit'
  /** its config has a pending cpu: change the VM starts with next */
  | 'pending';

export interface VmVersion {
  vmid: number;
  name?: string;
  node: string;
  running: boolean | null;
  /** The cpu: value now (`custom-NAME`, `host`, ...) */
  cpu: string;
  status: VmVersionStatus;
  /** For a custom model: its family and version */
  family?: string;
  version?: number;
  /** The model it should run (custom-NAME), when it should change */
  target?: string;
  why: string;
  /** What to run: qm set (and qm reboot when it runs) */
  commands: string[];
}

export interface PowerCycle {
  vmid: number;
  name?: string;
  node: string;
  why: string;
  commands: string[];
}

export interface PlanVersions {
  /** Every section of cpu-models.conf, grouped by family in the file's order */
  models: ModelVersionInfo[];
  /** VMs that are not simply current: older versions, no fit, pending changes */
  vms: VmVersion[];
  /** VMs that need a full stop and start, in the plan's order (least reachable first) */
  powerCycle: PowerCycle[];
  /** Sections no VM config, pending change or snapshot names */
  removable: Array<{ name: string; why: string }>;
  /** Sections only the VMs of the power-cycle list still name: removable after it */
  removableAfter: string[];
}

function withCpu(vm: ClusterVm, cpu: string): ClusterVm {
  return { ...vm, config: { ...vm.config, cpu: parseCpuProperty(cpu), raw: { ...vm.config.raw, cpu } } };
}

/**
 * Would the VM, booted on its node with `model`, reach every other node of its domain? Judged by the
 * placement solver targets and plan use (its CPU part: HA partners come and go, a model stays).
 */
function fits(vm: ClusterVm, model: string, domain: string[], solver: TargetSolver, hosts: Map<string, HostProfile>) {
  if (domain.some((n) => !hosts.has(n))) return false; // nothing can be promised where nothing is known
  try {
    const moved = withCpu(vm, `custom-${model}`);
    return domain.every((n) => n === vm.node || solver.moveReasons(moved, vm.node, n).length === 0);
  } catch {
    return false; // a section the catalog cannot read (an unknown flag) fits nowhere we can promise
  }
}

function pendingCpu(vm: ClusterVm): string | undefined {
  const p = vm.config.sections?.find((s) => s.name === 'PENDING')?.cpu;
  return p !== undefined && p !== (vm.config.raw.cpu ?? undefined) ? p : undefined;
}

function commandsFor(v: { vmid: number; running: boolean | null }, target: string | undefined): string[] {
  const set = target ? [qmSetCpuCommand(v.vmid, target.replace(/^custom-/, ''))] : [];
  return v.running === false ? set : [...set, qmRebootCommand(v.vmid)];
}

export function planVersions(
  input: PlanInput,
  plan: Pick<Plan, 'vms'>,
  records: ModelVersionRecord[] = [],
): PlanVersions {
  const hosts = new Map(input.hosts.map((h) => [h.name, h]));
  const names = input.customModels.map((m) => m.name);
  const uses = modelUses(input.vms);
  const provenance = latestRecords(records);
  const models: ModelVersionInfo[] = input.customModels.map((m: CpuModelSection) => {
    const { base, version } = familyOf(m.name, names);
    const hash = contentHash(m);
    const rec = provenance.get(m.name);
    return {
      name: m.name,
      family: base,
      version,
      hash,
      usedBy: uses.get(m.name) ?? [],
      ...(rec && rec.contentHash === hash
        ? { provenance: { hosts: rec.hosts, recordedAt: rec.recordedAt, toolVersion: rec.toolVersion } }
        : {}),
    };
  });
  const planned = new Map(plan.vms.map((v) => [v.vmid, v]));
  const solver = new TargetSolver(targetInputs(input));
  const vms: VmVersion[] = [];
  for (const vm of [...input.vms].sort((a, b) => a.vmid - b.vmid)) {
    const p = planned.get(vm.vmid);
    if (!p) continue;
    const row = vmVersion(vm, p, solver, hosts, names);
    if (row) vms.push(row);
  }
  // The plan's order: VMs that can move nowhere now go first
  const order = new Map(plan.vms.map((v) => [v.vmid, v.liveTargets.length]));
  const powerCycle = vms
    .filter((v) => v.running !== false && v.commands.length > 0)
    .sort((a, b) => order.get(a.vmid)! - order.get(b.vmid)! || a.vmid - b.vmid)
    .map((v) => ({
      vmid: v.vmid,
      ...(v.name ? { name: v.name } : {}),
      node: v.node,
      why: v.why,
      commands: v.commands,
    }));
  const cycling = new Set(powerCycle.map((c) => c.vmid));
  const targets = new Set(vms.map((v) => v.target));
  const removable = models
    .filter((m) => m.usedBy.length === 0 && !targets.has(`custom-${m.name}`))
    .map((m) => {
      const newer = newerVersionOf(m.name, names);
      return {
        name: m.name,
        why: newer
          ? `no VM uses it; superseded by ${newer} (migratable prune removes it)`
          : 'no VM uses it (the newest of its family: keep it if VMs are to use it)',
      };
    });
  const removableAfter = models
    .filter((m) => m.usedBy.length > 0 && m.usedBy.every((u) => cycling.has(u.vmid) && u.via === 'config'))
    .filter((m) =>
      vms.some((v) => m.usedBy.some((u) => u.vmid === v.vmid) && v.target && v.target !== `custom-${m.name}`),
    )
    .map((m) => m.name);
  return { models, vms, powerCycle, removable, removableAfter };
}

function vmVersion(
  vm: ClusterVm,
  p: PlanVm,
  solver: TargetSolver,
  hosts: Map<string, HostProfile>,
  names: string[],
): VmVersion | null {
  const cpu = vm.config.raw.cpu ?? 'kvm64 (no cpu: line)';
  // The plan's state: a template never runs (so never needs a power cycle)
  const state = { vmid: vm.vmid, running: p.running };
  const base = {
    vmid: vm.vmid,
    ...(vm.config.name ? { name: vm.config.name } : {}),
    node: vm.node,
    running: p.running,
    cpu,
  };
  // qm set refuses a locked VM too (update_vm_api check_lock, see ../plan/state.ts)
  const locked = p.lock ? `; locked (${p.lock}): qm set refuses it until the lock is released` : '';
  const custom = vm.config.cpu?.customModel;
  const fam = custom && names.includes(custom) ? familyOf(custom, names) : undefined;
  const famInfo = fam ? { family: fam.base, version: fam.version } : {};
  const planTarget = `custom-${p.model}`;
  if (p.action === 'change-model') {
    const why = p.liveTargets.length
      ? `its CPU reaches only ${p.liveTargets.join(', ')} of its domain (${p.domain.join(', ')})`
      : `its CPU reaches no other node of its domain (${p.domain.join(', ')})`;
    return {
      ...base,
      ...famInfo,
      status: 'no-fit',
      target: planTarget,
      why: `${why}: change to ${planTarget}${locked}`,
      commands: commandsFor(state, planTarget),
    };
  }
  const pending = pendingCpu(vm);
  if (pending)
    return {
      ...base,
      ...famInfo,
      status: 'pending',
      target: pending,
      why: `cpu: ${pending} is pending: the VM starts with it at its next full stop and start`,
      commands: commandsFor(state, undefined),
    };
  if (!fam || !custom) return null;
  const newest = familyMembers(fam.base, names).pop()!;
  if (newest.version <= fam.version) return null;
  const newer = newerVersionOf(custom, names)!;
  if (fits(vm, newer, p.domain, solver, hosts))
    return {
      ...base,
      ...famInfo,
      status: 'older-version',
      target: `custom-${newer}`,
      why: `runs ${custom} (version ${fam.version}); ${newer} (version ${newest.version}) is the newest and fits its domain${locked}`,
      commands: commandsFor(state, `custom-${newer}`),
    };
  return {
    ...base,
    ...famInfo,
    status: 'older-version',
    why: `runs ${custom} (version ${fam.version}); the newest, ${newer}, does not reach every node of its domain: it stays`,
    commands: [],
  };
}

/** "a5853b561c67 (pve1, pve2; 2026-12-07, migratable 0.1.0)": a version's identity for people. */
export function describeVersion(m: ModelVersionInfo): string {
  const prov = m.provenance
    ? ` (${m.provenance.hosts.join(', ') || 'hosts unknown'}; ${m.provenance.recordedAt.slice(0, 10)}, migratable ${m.provenance.toolVersion})`
    : '';
  return `${shortHash(m.hash)}${prov}`;
}
