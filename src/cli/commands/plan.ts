/** `migratable plan` and `migratable targets VMID`: models per migration domain and a safe rollout. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { emitPlanJson, vmJson } from '../../emitters/plan-json.js';
import { emitPlanMarkdown, emitPlanText } from '../../emitters/plan-text.js';
import { computePlan } from '../../engine/plan.js';
import type { Plan } from '../../engine/plan-types.js';
import { EXIT_PROBLEM, InputError } from '../../errors.js';
import { renderCpuModelSection } from '../../formats/pve-cpu-models.js';
import { clusterInputOptions, loadPlanInput, type ClusterInputOptions } from '../plan-inputs.js';
import { output } from '../output.js';
import { parseQemuVersion } from './catalog.js';

interface PlanOpts extends ClusterInputOptions {
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
  const input = await loadPlanInput(hosts, opts);
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

function withModelOptions(cmd: Command): Command {
  return cmd
    .option('--qemu <version>', 'oldest QEMU in the cluster (default: what the profiles say, else 7.2)')
    .option('--allow-tsx', 'keep hle/rtm when every host of a domain has them');
}

export function registerPlan(program: Command): void {
  withModelOptions(
    clusterInputOptions(
      program
        .command('plan')
        .description(
          'per VM its migration domain (HA groups/rules), the model for each domain, live targets now, and a rollout order',
        ),
    ),
  )
    .option('-f, --format <format>', 'text, markdown (for a change ticket) or json', 'text')
    .option('--write-models <dir>', 'write each cpu-models.conf section the rollout applies to DIR/NAME.conf')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (hosts: string[], opts: PlanOpts) => {
      checkFormat(opts.format, Object.keys(PLAN_FORMATS));
      const plan = await makePlan(hosts, opts);
      if (opts.writeModels) writeModels(plan, opts.writeModels);
      output(PLAN_FORMATS[opts.format](plan), opts.output);
    });

  withModelOptions(
    clusterInputOptions(
      program
        .command('targets')
        .description('the nodes a VM can live-migrate to now, with its current CPU (exit 1 if none)')
        .argument('<vmid>', 'the VM'),
    ),
  )
    .option('-f, --format <format>', 'text (one node per line) or json', 'text')
    .action(async (vmid: string, hosts: string[], opts: PlanOpts) => {
      checkFormat(opts.format, ['text', 'json']);
      if (!/^[1-9]\d{2,8}$/.test(vmid)) throw new InputError('vmid', `${JSON.stringify(vmid)} is not a VM id`);
      const plan = await makePlan(hosts, opts);
      const vm = plan.vms.find((v) => v.vmid === Number(vmid));
      if (!vm) throw new InputError('vmid', `no VM ${vmid} in ${opts.pve ?? opts.pveConfig}`);
      if (opts.format === 'json') output(JSON.stringify(vmJson(vm), null, 2));
      else if (vm.liveTargets.length) output(vm.liveTargets.join('\n'));
      else process.stderr.write(`VM ${vmid} has no live target now (${vm.blocked.length} node(s) blocked)\n`);
      if (!vm.liveTargets.length) process.exitCode = EXIT_PROBLEM;
    });
}
