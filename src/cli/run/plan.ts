/** `plan` and `targets`: the implementation, loaded only when one of them runs. */
import { isPveVmid } from '../../catalog/proxmox.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_PROBLEM, InputError } from '../../errors.js';
import { renderCpuModelSection } from '../../formats/pve-cpu-models.js';
import { loadPlanInput, type ClusterInputOptions } from '../../proxmox/plan/inputs.js';
import { emitPlanJson, vmJson } from '../../proxmox/plan/json.js';
import { computePlan } from '../../proxmox/plan/plan.js';
import { emitPlanMarkdown, emitPlanText } from '../../proxmox/plan/text.js';
import type { Plan } from '../../proxmox/plan/types.js';
import { loadHosts } from '../inputs.js';
import { parseQemuVersion } from '../options.js';
import { output } from '../output.js';

export interface PlanOpts extends ClusterInputOptions {
  format: string;
  writeModels?: string;
  qemu?: string;
  allowTsx?: boolean;
  output?: string;
}

const PLAN_FORMATS: Record<string, (p: Plan) => string> = {
  text: emitPlanText,
  markdown: emitPlanMarkdown,
  json: emitPlanJson,
};

function checkFormat(format: string, known: string[]): void {
  if (!known.includes(format))
    throw new InputError('--format', `unknown format "${format}"; one of ${known.join(', ')}`);
}

async function makePlan(hosts: string[], opts: PlanOpts): Promise<Plan> {
  const input = await loadPlanInput(hosts, opts, loadHosts);
  return computePlan(input, {
    qemu: parseQemuVersion(opts.qemu),
    allowTsx: opts.allowTsx,
    modelsDir: opts.writeModels,
  });
}

/** Each section `apply` needs, as DIR/NAME.conf (what the plan's commands name). */
function writeModels(plan: Plan, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const d of plan.domains)
    if (plan.steps.some((s) => s.kind === 'apply' && s.model === d.model.name))
      writeFileSync(join(dir, `${d.model.name}.conf`), renderCpuModelSection(d.section));
}

export async function runPlan(hosts: string[], opts: PlanOpts): Promise<void> {
  checkFormat(opts.format, Object.keys(PLAN_FORMATS));
  const plan = await makePlan(hosts, opts);
  if (opts.writeModels) writeModels(plan, opts.writeModels);
  output(PLAN_FORMATS[opts.format](plan), opts.output);
}

export async function runTargets(vmid: string, hosts: string[], opts: PlanOpts): Promise<void> {
  checkFormat(opts.format, ['text', 'json']);
  if (!isPveVmid(vmid)) throw new InputError('vmid', `${JSON.stringify(vmid)} is not a VM id`);
  const plan = await makePlan(hosts, opts);
  const vm = plan.vms.find((v) => v.vmid === Number(vmid));
  if (!vm) throw new InputError('vmid', `no VM ${vmid} in ${opts.pve ?? opts.pveConfig}`);
  if (opts.format === 'json') output(JSON.stringify(vmJson(vm), null, 2));
  else if (vm.liveTargets.length) output(vm.liveTargets.join('\n'));
  else process.stderr.write(`VM ${vmid} has no live target now (${vm.blocked.length} node(s) blocked)\n`);
  if (!vm.liveTargets.length) process.exitCode = EXIT_PROBLEM;
}
