/**
 * `migratable plan`: per VM its migration domain, the richest model for that domain, where it can
 * live-migrate now, and a rollout that never takes a valid target away from a running VM. Pure.
 */
import { capabilitiesLost } from '../../engine/migration.js';
import { InputError } from '../../errors.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { applyModelCommand, qmRebootCommand, qmSetCpuCommand } from '../commands.js';
import type { ClusterVm } from '../config/cluster.js';
import { vmDomain, type VmDomain } from '../ha/domains.js';
import { domainModels } from './models.js';
import { modelsPath, planSteps } from './order.js';
import { currentCpu, vmTargets } from './targets.js';
import type { Plan, PlanDomain, PlanInput, PlanOptions, PlanVm } from './types.js';
import { planVersions } from '../versions/plan-versions.js';

const domainKey = (nodes: string[]) => nodes.join(',');

function hostMap(input: PlanInput): Map<string, HostProfile> {
  const hosts = new Map(input.hosts.map((h) => [h.name, h]));
  const missing = input.nodes.filter((n) => !hosts.has(n));
  if (missing.length)
    throw new InputError(
      'hosts',
      `no host data for node(s) ${missing.join(', ')}: give one profile per node, named like the node (e.g. ${missing[0]}.cpuinfo), or --inventory`,
    );
  return hosts;
}

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
  model: PlanDomain,
  input: PlanInput,
  hosts: Map<string, HostProfile>,
  opts: PlanOptions,
): PlanVm {
  const cpu = currentCpu(vm, input.customModels);
  const { liveTargets, blocked } = vmTargets(vm, cpu, d.nodes, hosts);
  const notes = [...d.notes, ...vm.config.warnings.map((w) => `${vm.where}: ${w}`)];
  if (!d.nodes.includes(vm.node)) notes.push(`runs on ${vm.node}, outside its domain: HA will move it`);
  const usesModel = vm.config.cpu?.customModel === model.model.name && !vm.config.argsCpu;
  const action = blocked.length === 0 && d.nodes.includes(vm.node) ? 'keep' : 'change-model';
  if (action === 'keep' && !usesModel && d.nodes.length > 1)
    notes.push(
      `can move everywhere in its domain now; custom-${model.model.name} would give it the domain's full feature set`,
    );
  const lost = capabilitiesLost(cpu.features, model.model.features);
  if (action === 'change-model' && lost.features.length)
    notes.push(`the new model drops ${lost.features.join(', ')}: the guest loses ${lost.loses.join(' and ')}`);
  if (action === 'change-model' && vm.config.argsCpu)
    notes.push('args: has its own -cpu, which overrides the cpu: line: remove it from args: as well');
  const needsRestart = action === 'change-model' && vm.running !== false;
  if (needsRestart && vm.running === null)
    notes.push('running state unknown (config copy): assumed running, so the new CPU needs a full stop and start');
  const commands =
    action === 'keep'
      ? []
      : [
          applyModelCommand(modelsPath(opts, model.model.name)),
          qmSetCpuCommand(vm.vmid, model.model.name),
          ...(needsRestart ? [qmRebootCommand(vm.vmid)] : []),
        ];
  return {
    vmid: vm.vmid,
    ...(vm.config.name ? { name: vm.config.name } : {}),
    node: vm.node,
    domain: d.nodes,
    current: cpu.cpu,
    liveTargets,
    blocked,
    action,
    commands,
    needsRestart,
    running: vm.running,
    model: model.model.name,
    notes: [...notes, ...cpu.notes],
  };
}

export function computePlan(input: PlanInput, opts: PlanOptions = {}): Plan {
  if (!input.nodes.length) throw new InputError(input.source, 'no nodes found');
  const hosts = hostMap(input);
  const vms = [...input.vms].sort((a, b) => a.vmid - b.vmid);
  const perVm = vms.map((vm) => vmDomain(vm.vmid, input.nodes, input.ha));
  const distinct = mergeDomains(perVm);
  const models = domainModels(distinct, hosts, input.nodes.length, input.customModels, opts);
  const modelOf = new Map(distinct.map((d, i) => [domainKey(d.nodes), models[i]]));
  const planned = vms.map((vm, i) => planVm(vm, perVm[i], modelOf.get(domainKey(perVm[i].nodes))!, input, hosts, opts));
  const used = new Set(planned.map((v) => v.model));
  const domains = models.filter((m) => used.has(m.model.name));
  const plan = { domains, vms: planned, steps: planSteps(domains, planned, opts), notes: input.ha.notes };
  return { ...plan, versions: planVersions(input, plan, input.modelRecords) };
}
