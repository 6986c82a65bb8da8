/**
 * Before a planned change of host data (kernel, QEMU, microcode, a new CPU): the model versions to
 * roll out first, so no VM is stranded. During a rolling upgrade each node exists both as it is and
 * as planned, so a VM's new model is the baseline over its domain's nodes in both states; its name
 * follows apply's version rule (versions/decide.ts): a used section is never changed. Pure.
 */
import { pveModelSection } from '../../emitters/pve.js';
import { computeBaseline } from '../../engine/baseline.js';
import { capabilitiesLost } from '../../engine/migration.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { applyModelCommand, qmRebootCommand, qmSetCpuCommand } from '../commands.js';
import { currentCpu } from '../plan/targets.js';
import type { Plan, PlanInput } from '../plan/types.js';
import { decideModelWrite } from '../versions/decide.js';
import { familyOf } from '../versions/naming.js';
import { modelUses } from '../versions/usage.js';

export interface RolloutModel {
  name: string;
  nodes: string[];
  cpu: string;
  features: string[];
  section: CpuModelSection;
  /** The hosts it was computed for: the domain's nodes now and as planned */
  hosts: string[];
  /** cpu-models.conf already holds it under this name */
  present: boolean;
  why: string;
}

export interface UpgradeRollout {
  models: RolloutModel[];
  /** In order: each section, then per VM its switch and full stop and start; all before the change */
  steps: Array<{ vmid?: number; command: string }>;
  notes: string[];
}

export function rolloutBefore(
  input: PlanInput,
  plan: Plan,
  replaced: Map<string, HostProfile>,
  vmids: number[],
  modelsDir = '.',
): UpgradeRollout {
  const hosts = new Map(input.hosts.map((h) => [h.name, h]));
  const byDomain = new Map<string, number[]>();
  for (const id of vmids) {
    const key = plan.vms.find((v) => v.vmid === id)!.domain.join(',');
    byDomain.set(key, [...(byDomain.get(key) ?? []), id]);
  }
  const uses = modelUses(input.vms);
  const out: UpgradeRollout = { models: [], steps: [], notes: [] };
  const existing = [...input.customModels];
  for (const [key, ids] of byDomain) {
    const nodes = key.split(',');
    const profiles = [
      ...nodes.map((n) => hosts.get(n)!),
      ...nodes.filter((n) => replaced.has(n)).map((n) => ({ ...replaced.get(n)!, name: `${n}-planned` })),
    ];
    const planned = plan.vms.find((v) => v.vmid === ids[0])!.model;
    const family = familyOf(
      planned,
      existing.map((m) => m.name),
    ).base;
    const baseline = computeBaseline(profiles, { name: family, skipExplain: true });
    const d = decideModelWrite({ existing, section: pveModelSection(baseline), uses });
    const section = d.section;
    if (d.kind !== 'present' && d.kind !== 'unchanged') existing.push(section);
    out.models.push({
      name: section.name,
      nodes,
      cpu: baseline.cpu,
      features: baseline.features,
      section,
      hosts: profiles.map((p) => p.name),
      present: d.kind === 'present' || d.kind === 'unchanged',
      why: `runs on ${nodes.join(', ')} now and as planned (${d.message})`,
    });
    if (d.kind !== 'present' && d.kind !== 'unchanged')
      out.steps.push({
        command: applyModelCommand(
          modelsDir === '.' ? `${section.name}.conf` : `${modelsDir.replace(/\/+$/, '')}/${section.name}.conf`,
        ),
      });
    for (const id of ids.sort((a, b) => a - b)) {
      const vm = input.vms.find((v) => v.vmid === id)!;
      out.steps.push({ vmid: id, command: qmSetCpuCommand(id, section.name) });
      if (vm.running !== false) out.steps.push({ vmid: id, command: qmRebootCommand(id) });
      const had = currentCpu(vm, input.customModels).features;
      const gone = had.filter((f) => !baseline.features.includes(f));
      const lost = capabilitiesLost(had, baseline.features);
      if (gone.length)
        out.notes.push(
          `VM ${id}: custom-${section.name} leaves out ${gone.join(', ')}${lost.loses.length ? ` (the guest loses ${lost.loses.join(' and ')})` : ''}`,
        );
    }
  }
  return out;
}
