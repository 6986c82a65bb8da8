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
import type { VmCpu } from '../../profile/vm-cpu.js';
import { qmMigrateCommand, qmShutdownCommand, qmStartCommand } from '../commands.js';
import type { ClusterVm } from '../config/cluster.js';
import { haSid } from '../ha/domains.js';
import { TargetSolver, targetInputs } from '../plan/targets.js';
import type { Plan, PlanBlocked, PlanInput, PlanVm } from '../plan/types.js';
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
  /** template: 1 (never runs) and lock: NAME (refuses every migration), when set */
  template?: boolean;
  lock?: string;
  /** Managed HA resources that move with it (keep-together) and that it is kept apart from */
  together?: string[];
  apart?: string[];
  domain: string[];
  /** -cpu it runs with */
  cpu: string;
  /** live: a live migration frees it; stopped: an offline migration; stuck: neither now (a lock included) */
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

function starts(vmCpu: VmCpu, host: HostProfile): { ok: boolean; missing: string[] } {
  const cell = checkCell(vmCpu, host);
  return { ok: cell.ok, missing: cell.missing.map((m) => m.feature) };
}

/** What the drain has decided so far: where each VM goes, so keep-apart partners never pick the same node. */
type Chosen = Map<string, string>;

/** The first of `nodes` no keep-apart partner was sent to in this drain. */
function pick(nodes: string[], apart: string[], chosen: Chosen): string | undefined {
  const taken = new Set(apart.map((sid) => chosen.get(sid)).filter((n): n is string => !!n));
  return nodes.find((n) => !taken.has(n));
}

/**
 * One VM of the drained node. Its live targets come from the plan (TargetSolver: CPU, HA keep-apart
 * and keep-together, template, lock, unknown nodes), its cold targets from the same solver, so the
 * drain never proposes a node `targets` would refuse.
 */
function drainVm(
  vm: ClusterVm,
  p: PlanVm,
  input: PlanInput,
  plan: Plan,
  solver: TargetSolver,
  chosen: Chosen,
): DrainVm {
  const cpu = solver.cpuOf(vm);
  const others = p.domain.filter((n) => n !== vm.node);
  const ha = input.ha.resources.some((r) => r.sid === `vm:${vm.vmid}` && r.state !== 'ignored');
  const sid = haSid(vm.vmid);
  const together = p.together ?? [];
  const apart = p.apart ?? [];
  const { liveTargets, blocked } = p;
  const notes = [...p.notes.filter((n) => /outside its domain|state unknown/.test(n))];
  const base = {
    vmid: vm.vmid,
    ...(vm.config.name ? { name: vm.config.name } : {}),
    running: p.running,
    ha,
    domain: p.domain,
    cpu: cpu.cpu,
    liveTargets,
    blocked,
    ...(p.template ? { template: true } : {}),
    ...(p.lock ? { lock: p.lock } : {}),
    ...(together.length ? { together } : {}),
    ...(apart.length ? { apart } : {}),
  };
  // A keep-together partner already sent somewhere by this drain takes this VM along (HA queues the
  // partners of a moved resource: Manager.pm queue_resource_motion): no command of its own
  const leader = together.find((s) => chosen.has(s));
  if (leader) {
    chosen.set(sid, chosen.get(leader)!);
    return {
      ...base,
      status: p.running === false ? 'stopped' : 'live',
      fixes: [],
      commands: [],
      notes: [
        ...notes,
        `moves with ${leader} to ${chosen.get(leader)} (keep-together): HA migrates the bundle as one, so this VM needs no command of its own`,
      ],
    };
  }
  if (together.length)
    notes.push(
      `keep-together with ${together.join(', ')}: HA moves them as one, so it goes only where every one of them can go`,
    );
  if (p.lock)
    return {
      ...base,
      status: 'stuck',
      fixes: [],
      commands: [],
      notes: [
        ...notes,
        `locked (${p.lock}): qm migrate refuses it, live or offline, until the lock is released (check_lock); it blocks the drain until then (qm unlock ${vm.vmid} only if the lock is stale)`,
      ],
    };
  const cold = solver.coldTargets(vm, p.domain);
  const coldTo = pick(cold, apart, chosen);
  if (p.running === false) {
    if (coldTo) chosen.set(sid, coldTo);
    return {
      ...base,
      status: coldTo ? 'stopped' : 'stuck',
      fixes: [],
      commands: coldTo ? [qmMigrateCommand(vm.vmid, coldTo, false)] : [],
      notes: [
        ...notes,
        p.template
          ? coldTo
            ? `a template never runs: an offline migration to ${cold.join(', ')}`
            : 'a template never runs, but no other node of its domain can take it (no host data, or a keep-apart partner there)'
          : coldTo
            ? `stopped: an offline migration to ${cold.join(', ')}`
            : 'stopped, and its CPU starts on no other node of its domain that HA allows',
      ],
    };
  }
  const liveTo = pick(liveTargets, apart, chosen);
  if (liveTo) {
    chosen.set(sid, liveTo);
    if (ha && blocked.some((b) => !b.ha?.length))
      notes.push(
        `HA maintenance mode may pick ${blocked
          .filter((b) => !b.ha?.length)
          .map((b) => b.node)
          .join(', ')} too, where it cannot go live: guard it (plan --ha-rules)`,
      );
    if (liveTo !== liveTargets[0])
      notes.push(
        `not ${liveTargets.filter((n) => n !== liveTo).join(', ')}: a keep-apart partner goes there in this drain`,
      );
    return { ...base, status: 'live', fixes: [], commands: [qmMigrateCommand(vm.vmid, liveTo, true)], notes };
  }
  if (liveTargets.length)
    notes.push(`its live targets ${liveTargets.join(', ')} are taken by keep-apart partners in this drain`);
  const fixes: DrainFix[] = [];
  if (coldTo)
    fixes.push({
      kind: 'cold-move',
      to: cold,
      commands: [qmShutdownCommand(vm.vmid), qmMigrateCommand(vm.vmid, coldTo, false), qmStartCommand(vm.vmid)],
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
      // The same solver over the cluster with the domain's model added: HA's rules still apply
      const after = new TargetSolver(targetInputs({ ...input, customModels: models })).vmTargets(changed, p.domain);
      fixes.push({ kind: 'model-change', model: p.model, liveTargetsAfter: after.liveTargets, commands: p.commands });
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
  const planned = new Map(plan.vms.map((v) => [v.vmid, v]));
  const solver = new TargetSolver(targetInputs(input));
  const chosen: Chosen = new Map();
  const vms = input.vms.filter((v) => v.node === node).sort((a, b) => a.vmid - b.vmid);
  const report: DrainReport = {
    node,
    vms: vms.map((vm) => drainVm(vm, planned.get(vm.vmid)!, input, plan, solver, chosen)),
    notes: [],
  };
  if (!vms.length) report.notes.push(`no VM is configured on ${node}`);
  if (!opts.after?.length) return report;

  const replaced = replacements(node, input.nodes, opts.after, opts.everyNode);
  const stranded: StrandedVm[] = [];
  for (const vm of [...input.vms].sort((a, b) => a.vmid - b.vmid)) {
    const p = planned.get(vm.vmid)!;
    // A template never starts: no upgrade strands it (its clones are planned where they run)
    if (p.template) continue;
    const cpu = solver.cpuOf(vm);
    // Only what the change takes away: a node where the CPU starts now and will not afterwards
    const loses = p.domain
      .filter((n) => replaced.has(n) && hosts.has(n) && starts(cpu, hosts.get(n)!).ok)
      .map((n) => ({ node: n, missing: starts(cpu, replaced.get(n)!).missing }))
      .filter((l) => l.missing.length > 0);
    if (!loses.length) continue;
    const runsAfter = p.domain.filter((n) => {
      const h = replaced.get(n) ?? hosts.get(n);
      return h !== undefined && starts(cpu, h).ok;
    });
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
