/**
 * The rollout order. Changing one VM's CPU never changes another VM's targets, and a cpu-models.conf
 * section is never rewritten (models.ts names around existing ones), so the only dependency is
 * that a section exists before a VM names it: every apply first, then per VM its switch and restart.
 * VMs that can move nowhere now go first: they gain the most and lose nothing while stopped.
 */
import { applyModelCommand, qmRebootCommand, qmSetCpuCommand } from '../commands.js';
import type { PlanDomain, PlanOptions, PlanStep, PlanVm } from './types.js';

export function planSteps(domains: PlanDomain[], vms: PlanVm[], opts: PlanOptions): PlanStep[] {
  const changing = vms.filter((v) => v.action === 'change-model');
  const needed = new Set(changing.map((v) => v.model));
  const steps: PlanStep[] = domains
    .filter((d) => needed.has(d.model.name))
    .map((d) => ({
      kind: 'apply',
      model: d.model.name,
      command: applyModelCommand(modelsPath(opts, d.model.name)),
    }));
  const ordered = [...changing].sort((a, b) => a.liveTargets.length - b.liveTargets.length || a.vmid - b.vmid);
  for (const v of ordered) {
    steps.push({ kind: 'set-cpu', vmid: v.vmid, model: v.model, command: qmSetCpuCommand(v.vmid, v.model) });
    if (v.needsRestart) steps.push({ kind: 'restart', vmid: v.vmid, command: qmRebootCommand(v.vmid) });
  }
  return steps;
}

/** The section file `migratable plan --write-models DIR` writes for a model. */
export function modelsPath(opts: PlanOptions, name: string): string {
  const dir = opts.modelsDir ?? '.';
  return dir === '.' ? `${name}.conf` : `${dir.replace(/\/+$/, '')}/${name}.conf`;
}
