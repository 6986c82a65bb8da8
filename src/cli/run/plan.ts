/** `plan` and `targets`: the implementation, loaded only when one of them runs. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, WriteError, describeWriteErrno } from '../../errors.js';
import { renderCpuModelSection } from '../../formats/pve-cpu-models.js';
import { writeOutputFile } from '../../fs/output-file.js';
import { loadPlanInput, type ClusterInputOptions } from '../../proxmox/plan/inputs.js';
import { emitPlanJson } from '../../proxmox/plan/json.js';
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

/** Each section `apply` needs, as DIR/NAME.conf (what the plan's commands name); a link planted there is refused. */
function writeModels(plan: Plan, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new WriteError(dir, `cannot create the directory: ${describeWriteErrno(e)}`);
  }
  for (const d of plan.domains)
    if (plan.steps.some((s) => s.kind === 'apply' && s.model === d.model.name))
      writeOutputFile(join(dir, `${d.model.name}.conf`), renderCpuModelSection(d.section));
}

export async function runPlan(hosts: string[], opts: PlanOpts): Promise<void> {
  checkFormat(opts.format, Object.keys(PLAN_FORMATS));
  const plan = await makePlan(hosts, opts);
  if (opts.writeModels) writeModels(plan, opts.writeModels);
  output(PLAN_FORMATS[opts.format](plan), opts.output);
}
