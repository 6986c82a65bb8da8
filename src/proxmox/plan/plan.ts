/**
 * `migratable plan`: per VM its migration domain, the richest model for that domain, where it can
 * live-migrate now, and a rollout that never takes a valid target away from a running VM. Pure.
 *
 * A partial cluster still gets a plan: a node without host data (down, or not scanned yet) or known to
 * be offline is no live target, the models are the baselines of the nodes that have data, and the
 * notes name the nodes left out.
 */
import { capabilitiesLost } from '../../engine/migration.js';
import { InputError } from '../../errors.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { applyModelCommand, qmRebootCommand, qmSetCpuCommand } from '../commands.js';
import type { ClusterVm } from '../config/cluster.js';
import { compileHa } from '../ha/compile.js';
import { vmDomain, type VmDomain } from '../ha/domains.js';
import { domainModels } from './models.js';
import { modelsPath, planSteps } from './order.js';
import { targetNotes, targetsJson, type TargetsJson } from './answer.js';
import { TargetSolver, targetInputs, type VmTargets } from './targets.js';
import type { Plan, PlanDomain, PlanInput, PlanOptions, PlanVm } from './types.js';
import { planVersions } from '../versions/plan-versions.js';

const domainKey = (nodes: string[]) => nodes.join(',');

/** Distinct domains by node set; VMs sharing the nodes share the model. */
function mergeDomains(perVm: VmDomain[]): VmDomain[] {
  const byKey = new Map<string, VmDomain>();
  for (const d of perVm) {
    const seen = byKey.get(domainKey(d.nodes));
    if (!seen) byKey.set(domainKey(d.nodes), { ...d, notes: [] });
    else if (!seen.source.split('; ').includes(d.source)) seen.source += `; ${d.source}`;
  }
  // The cluster-wide domain first, then larger before smaller: a stable, readable order
  return [...byKey.values()].sort((a, b) => b.nodes.length - a.nodes.length || a.source.localeCompare(b.source));
}

function planVm(
  vm: ClusterVm,
  d: VmDomain,
  model: PlanDomain | undefined,
  t: VmTargets,
  solver: TargetSolver,
  opts: PlanOptions,
): PlanVm {
  const cpu = t.cpu;
  const notes = targetNotes(vm, d, t);
  const inDomain = d.nodes.includes(vm.node);
  const ownUnknown = solver.unavailable(vm.node) !== undefined;
  let action: PlanVm['action'] = t.cpuBlocked.length === 0 && inDomain ? 'keep' : 'change-model';
  if (!model || ownUnknown) {
    action = 'keep';
    notes.push(
      model
        ? `nothing about its CPU can be checked without host data for ${vm.node}: no change is planned`
        : 'no node of its domain has host data: no model and no change can be planned',
    );
  }
  const modelName = model?.model.name ?? '';
  const usesModel = vm.config.cpu?.customModel === modelName && !vm.config.argsCpu;
  if (model && action === 'keep' && !usesModel && d.nodes.length > 1 && !ownUnknown)
    notes.push(
      `can move everywhere in its domain now; custom-${modelName} would give it the domain's full feature set`,
    );
  const lost = model ? capabilitiesLost(cpu.features, model.model.features) : { features: [], loses: [] };
  if (action === 'change-model' && lost.features.length)
    notes.push(`the new model drops ${lost.features.join(', ')}: the guest loses ${lost.loses.join(' and ')}`);
  if (action === 'change-model' && vm.config.argsCpu)
    notes.push('args: has its own -cpu, which overrides the cpu: line: remove it from args: as well');
  // A VM outside its domain is not restarted where it is: it would boot the domain's model on a node
  // the model is not made for (and then may not reach the domain at all). HA moves it into its domain
  // first; its next full stop and start there takes the new CPU.
  const deferred = action === 'change-model' && t.running !== false && !inDomain;
  if (deferred)
    notes.push(
      `no restart planned on ${vm.node}: the new model is made for its domain; once HA has moved it there, a full stop and start (qm reboot ${vm.vmid}) takes the new CPU`,
    );
  const needsRestart = action === 'change-model' && t.running !== false && !deferred;
  if (needsRestart && t.running === null)
    notes.push('running state unknown (config copy): assumed running, so the new CPU needs a full stop and start');
  const commands =
    action === 'keep'
      ? []
      : [
          applyModelCommand(modelsPath(opts, modelName)),
          qmSetCpuCommand(vm.vmid, modelName),
          ...(needsRestart ? [qmRebootCommand(vm.vmid)] : []),
        ];
  return {
    vmid: vm.vmid,
    ...(vm.config.name ? { name: vm.config.name } : {}),
    node: vm.node,
    domain: d.nodes,
    current: cpu.cpu,
    liveTargets: t.liveTargets,
    blocked: t.blocked,
    action,
    commands,
    needsRestart,
    running: t.running,
    model: modelName,
    notes: [...notes, ...cpu.notes],
    ...(t.state.template ? { template: true } : {}),
    ...(t.state.lock ? { lock: t.state.lock } : {}),
    ...(t.together.length ? { together: t.together } : {}),
    ...(t.apart.length ? { apart: t.apart } : {}),
  };
}

export function computePlan(input: PlanInput, opts: PlanOptions = {}): Plan {
  return planWithTargets(input, opts).plan;
}

/** The plan and, from the same computation, every VM's answer for balancers (what serve keeps). */
export function planWithTargets(input: PlanInput, opts: PlanOptions = {}): { plan: Plan; targets: TargetsJson[] } {
  if (!input.nodes.length) throw new InputError(input.source, 'no nodes found');
  const ha = compileHa(input.ha, input.nodes);
  const solver = new TargetSolver(targetInputs(input, ha));
  const hosts = new Map(input.hosts.map((h) => [h.name, h]));
  const unavailableNodes = input.nodes.flatMap((node) => {
    const reason = solver.unavailable(node);
    return reason ? [{ node, reason }] : [];
  });
  const vms = [...input.vms].sort((a, b) => a.vmid - b.vmid);
  const perVm = vms.map((vm) => vmDomain(vm.vmid, input.nodes, ha));
  const distinct = mergeDomains(perVm);
  const known = (d: VmDomain) => d.nodes.filter((n) => hosts.has(n));
  const modelled = distinct.filter((d) => known(d).length > 0);
  const models = domainModels(
    modelled.map((d) => ({ ...d, modelNodes: known(d) })),
    hosts as Map<string, HostProfile>,
    input.nodes.length,
    input.customModels,
    opts,
  );
  const modelOf = new Map(modelled.map((d, i) => [domainKey(d.nodes), models[i]]));
  const answers = vms.map((vm, i) => solver.vmTargets(vm, perVm[i].nodes));
  const planned = vms.map((vm, i) =>
    planVm(vm, perVm[i], modelOf.get(domainKey(perVm[i].nodes)), answers[i], solver, opts),
  );
  const used = new Set(planned.map((v) => v.model));
  const domains = models.filter((m) => used.has(m.model.name));
  const notes = [...ha.notes];
  const missing = unavailableNodes.filter((u) => !hosts.has(u.node)).map((u) => u.node);
  if (missing.length)
    notes.push(
      `no host data for node(s) ${missing.join(', ')}: no VM gets them as a live target and the models leave them out; give one profile per node, named like the node (e.g. ${missing[0]}.cpuinfo), or --inventory, before rolling out`,
    );
  const offline = unavailableNodes.filter((u) => hosts.has(u.node)).map((u) => u.node);
  if (offline.length) notes.push(`node(s) ${offline.join(', ')} offline: no live target until they are back`);
  const base = {
    domains,
    vms: planned,
    steps: planSteps(domains, planned, opts),
    notes,
    ...(unavailableNodes.length ? { unavailableNodes } : {}),
  };
  const plan: Plan = { ...base, versions: planVersions(input, base, input.modelRecords) };
  return { plan, targets: vms.map((vm, i) => targetsJson(vm, perVm[i], answers[i])) };
}
