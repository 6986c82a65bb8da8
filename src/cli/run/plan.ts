/** `plan` and `targets`: the implementation, loaded only when one of them runs. */
import { InputError } from '../../errors.js';
import { loadPlanInput, type ClusterInputOptions } from '../../proxmox/plan/inputs.js';
import { emitPlanJson, planJson } from '../../proxmox/plan/json.js';
import { writeHaGuardDir } from '../../proxmox/apply/ha-config.js';
import { readEtcPveHaTexts } from '../../proxmox/config/etc-pve.js';
import { computeGuardrails, type GuardMode, type GuardrailPlan } from '../../proxmox/ha/guardrails.js';
import { guardrailsJson, guardrailsText } from '../../proxmox/ha/guardrails-text.js';
import { computePlan } from '../../proxmox/plan/plan.js';
import { emitPlanMarkdown, emitPlanText } from '../../proxmox/plan/text.js';
import type { Plan, PlanInput } from '../../proxmox/plan/types.js';
import { safeJson } from '../../safe-json.js';
import { loadHosts } from '../inputs.js';
import { parseQemuVersion } from '../options.js';
import { output } from '../output.js';
import { writeModelFiles } from './model-files.js';

export interface PlanOpts extends ClusterInputOptions {
  format: string;
  haRules?: string;
  haFormat?: string;
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

async function makePlanWithInput(hosts: string[], opts: PlanOpts): Promise<{ plan: Plan; input: PlanInput }> {
  const input = await loadPlanInput(hosts, opts, loadHosts);
  const plan = computePlan(input, {
    qemu: parseQemuVersion(opts.qemu),
    allowTsx: opts.allowTsx,
    modelsDir: opts.writeModels,
  });
  return { plan, input };
}

/** plan --ha-rules DIR: the guardrails over the HA files of --pve-config, written for apply-ha. */
async function haGuardrails(input: PlanInput, opts: PlanOpts): Promise<GuardrailPlan> {
  if (opts.pve)
    throw new InputError(
      '--ha-rules',
      'reads ha/*.cfg from --pve-config (run it on a node, or on a copy of /etc/pve), not the API',
    );
  if (opts.haFormat !== undefined && opts.haFormat !== 'rules' && opts.haFormat !== 'groups')
    throw new InputError(
      '--ha-format',
      `expected rules (Proxmox VE 9) or groups (Proxmox VE 8), got ${JSON.stringify(opts.haFormat)}`,
    );
  // The same reader, limits and checks as the cluster config plan just read
  const files = readEtcPveHaTexts(opts.pveConfig);
  const guard = computeGuardrails({
    cluster: input,
    hosts: input.hosts,
    files,
    ...(opts.haFormat ? { mode: opts.haFormat as GuardMode } : {}),
  });
  await writeHaGuardDir(opts.haRules!, guard.mode, opts.pveConfig, guard.files);
  return guard;
}

/** Each section `apply` needs (what the plan's commands name) */
function writeModels(plan: Plan, dir: string): void {
  const applied = plan.domains.filter((d) => plan.steps.some((s) => s.kind === 'apply' && s.model === d.model.name));
  writeModelFiles(
    dir,
    applied.map((d) => ({ section: d.section, hosts: d.baseline.hosts })),
  );
}

export async function runPlan(hosts: string[], opts: PlanOpts): Promise<void> {
  checkFormat(opts.format, Object.keys(PLAN_FORMATS));
  const { plan, input } = await makePlanWithInput(hosts, opts);
  const guard = opts.haRules ? await haGuardrails(input, opts) : undefined;
  if (opts.writeModels) writeModels(plan, opts.writeModels);
  if (guard && opts.format === 'json')
    output(safeJson({ ...planJson(plan), guardrails: guardrailsJson(guard) }), opts.output);
  else
    output(
      PLAN_FORMATS[opts.format](plan) + (guard ? guardrailsText(guard, opts.haRules!, opts.pveConfig) : ''),
      opts.output,
    );
}
