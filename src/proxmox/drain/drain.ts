/**
 * `migratable drain NODE`: every VM on NODE, where it can live-migrate now, which cannot and why, and
 * the least change that frees it. With planned host data (`--after`): which VMs the change strands
 * and which model versions to roll out before it. Pure.
 *
 * What frees a VM no node takes live, least first:
 * - a cold move: shut it down, migrate it offline to a node of its domain where its CPU starts, start
 *   it there (one short downtime, nothing in its config changes);
 * - a model change at its next cold start: the plan's model for its domain (`qm set` + `qm reboot`),
 *   after which it live-migrates across its domain.
 */
import { checkCell } from '../../engine/check.js';
import { InputError } from '../../errors.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { qmMigrateCommand, qmShutdownCommand, qmStartCommand } from '../commands.js';
import type { ClusterVm } from '../config/cluster.js';
import { currentCpu, vmTargets } from '../plan/targets.js';
import type { Plan, PlanBlocked, PlanInput } from '../plan/types.js';
import { rolloutBefore, type UpgradeRollout } from './rollout.js';

export type DrainFix =
  | { kind: 'cold-move'; to: string[]; commands: string[] }
  | { kind: 'model-change'; model: string; liveTargetsAfter: string[]; commands: string[] };

export interface DrainVm {
  vmid: number;
  name?: string;
  running: boolean | null;
  /** HA may move it (an HA resource that is not ignored) */
  ha: boolean;
  domain: string[];
  /** -cpu it runs with */
  cpu: string;
  /** live: a live migration frees it; stopped: an offline migration; stuck: neither now */
  status: 'live' | 'stopped' | 'stuck';
  liveTargets: string[];
  blocked: PlanBlocked[];
  /** What frees a stuck VM, least change first */
  fixes: DrainFix[];
  /** The commands that drain it now (a live or offline migration), when one exists */
  commands: string[];
  notes: string[];
}

export interface StrandedVm {
  vmid: number;
  name?: string;
  node: string;
  /** Upgraded nodes of its domain where its CPU will no longer run, with what it misses there */
  loses: Array<{ node: string; missing: string[] }>;
  /** It runs on an upgraded node: once drained, it cannot come back; or every node of its domain is lost */
  severity: 'loses-nodes' | 'cannot-return' | 'nowhere';
}

export interface DrainReport {
  node: string;
  vms: DrainVm[];
  /** With planned host data */
  after?: {
    replaced: string[];
    stranded: StrandedVm[];
    rollout: UpgradeRollout;
  };
  notes: string[];
}

export interface DrainOptions {
  /** Planned host data: profiles named like nodes replace them; one other profile replaces NODE */
  after?: HostProfile[];
  /** The single planned profile replaces every node */
  everyNode?: boolean;
  /** Where `migratable apply` finds the rollout's section files ("." by default) */
  modelsDir?: string;
}

function starts(vmCpu: ReturnType<typeof currentCpu>, host: HostProfile): { ok: boolean; missing: string[] } {
  const cell = checkCell(vmCpu, host);
  return { ok: cell.ok, missing: cell.missing.map((m) => m.feature) };
}

function drainVm(vm: ClusterVm, input: PlanInput, plan: Plan, hosts: Map<string, HostProfile>): DrainVm {
  const p = plan.vms.find((v) => v.vmid === vm.vmid)!;
  const cpu = currentCpu(vm, input.customModels);
  const others = p.domain.filter((n) => n !== vm.node);
  const ha = input.ha.resources.some((r) => r.sid === `vm:${vm.vmid}` && r.state !== 'ignored');
  const { liveTargets, blocked } = vmTargets(vm, cpu, p.domain, hosts);
  const notes = [...p.notes.filter((n) => /outside its domain|state unknown/.test(n))];
  const base = {
    vmid: vm.vmid,
    ...(vm.config.name ? { name: vm.config.name } : {}),
    running: vm.running,
    ha,
    domain: p.domain,
    cpu: cpu.cpu,
    liveTargets,
    blocked,
  };
  const coldOk = others.filter((n) => starts(cpu, hosts.get(n)!).ok);
  if (vm.running === false)
    return {
      ...base,
      status: coldOk.length ? 'stopped' : 'stuck',
      fixes: [],
      commands: coldOk.length ? [qmMigrateCommand(vm.vmid, coldOk[0], false)] : [],
      notes: [
        ...notes,
        coldOk.length
          ? `stopped: an offline migration to ${coldOk.join(', ')}`
          : 'stopped, and its CPU starts on no other node of its domain',
      ],
    };
  if (liveTargets.length) {
    if (ha && blocked.length)
      notes.push(
        `HA maintenance mode may pick ${blocked.map((b) => b.node).join(', ')} too, where it cannot go live: guard it (plan --ha-rules)`,
      );
    return { ...base, status: 'live', fixes: [], commands: [qmMigrateCommand(vm.vmid, liveTargets[0], true)], notes };
  }
  const fixes: DrainFix[] = [];
  if (coldOk.length)
    fixes.push({
      kind: 'cold-move',
      to: coldOk,
      commands: [qmShutdownCommand(vm.vmid), qmMigrateCommand(vm.vmid, coldOk[0], false), qmStartCommand(vm.vmid)],
    });
  if (p.action === 'change-model') {
    const changed = {
      ...vm,
      config: { ...vm.config, cpu: { type: `custom-${p.model}`, customModel: p.model, flags: [] }, argsCpu: undefined },
    };
    const models = [
      ...input.customModels.filter((m) => m.name !== p.model),
      plan.domains.find((d) => d.model.name === p.model)!.section,
    ];
    try {
      const after = vmTargets(changed, currentCpu(changed, models), p.domain, hosts).liveTargets;
      fixes.push({ kind: 'model-change', model: p.model, liveTargetsAfter: after, commands: p.commands });
    } catch {
      /* the domain model is built for these hosts; a failure here leaves only the cold move */
    }
  }
  if (!others.length) notes.push(`its domain is ${vm.node} alone: nothing can take it (widen its HA rule or group)`);
  return { ...base, status: 'stuck', fixes, commands: [], notes };
}

/** Which node each planned profile replaces. */
function replacements(
  node: string,
  nodes: string[],
  after: HostProfile[],
  everyNode?: boolean,
): Map<string, HostProfile> {
  const out = new Map<string, HostProfile>();
  if (everyNode) {
    if (after.length !== 1) throw new InputError('--every-node', `expects one planned profile, got ${after.length}`);
    for (const n of nodes) out.set(n, { ...after[0], name: n });
    return out;
  }
  const unnamed = after.filter((h) => !nodes.includes(h.name));
  if (unnamed.length > 1)
    throw new InputError(
      '--after',
      `${unnamed.map((h) => h.name).join(', ')} name no node: name each planned profile like the node it replaces (or give one, for ${node})`,
    );
  for (const h of after)
    out.set(nodes.includes(h.name) ? h.name : node, { ...h, name: nodes.includes(h.name) ? h.name : node });
  return out;
}

export function computeDrain(input: PlanInput, plan: Plan, node: string, opts: DrainOptions = {}): DrainReport {
  if (!input.nodes.includes(node))
    throw new InputError('node', `${JSON.stringify(node)} is not a node of the cluster (${input.nodes.join(', ')})`);
  const hosts = new Map(input.hosts.map((h) => [h.name, h]));
  const vms = input.vms.filter((v) => v.node === node).sort((a, b) => a.vmid - b.vmid);
  const report: DrainReport = { node, vms: vms.map((vm) => drainVm(vm, input, plan, hosts)), notes: [] };
  if (!vms.length) report.notes.push(`no VM is configured on ${node}`);
  if (!opts.after?.length) return report;

  const replaced = replacements(node, input.nodes, opts.after, opts.everyNode);
  const stranded: StrandedVm[] = [];
  for (const vm of [...input.vms].sort((a, b) => a.vmid - b.vmid)) {
    const p = plan.vms.find((v) => v.vmid === vm.vmid)!;
    const cpu = currentCpu(vm, input.customModels);
    // Only what the change takes away: a node where the CPU starts now and will not afterwards
    const loses = p.domain
      .filter((n) => replaced.has(n) && starts(cpu, hosts.get(n)!).ok)
      .map((n) => ({ node: n, missing: starts(cpu, replaced.get(n)!).missing }))
      .filter((l) => l.missing.length > 0);
    if (!loses.length) continue;
    const runsAfter = p.domain.filter((n) => starts(cpu, replaced.get(n) ?? hosts.get(n)!).ok);
    stranded.push({
      vmid: vm.vmid,
      ...(vm.config.name ? { name: vm.config.name } : {}),
      node: vm.node,
      loses,
      severity: runsAfter.length === 0 ? 'nowhere' : replaced.has(vm.node) ? 'cannot-return' : 'loses-nodes',
    });
  }
  report.after = {
    replaced: [...replaced.keys()].sort(),
    stranded,
    rollout: rolloutBefore(
      input,
      plan,
      replaced,
      stranded.map((s) => s.vmid),
      opts.modelsDir,
    ),
  };
  return report;
}
