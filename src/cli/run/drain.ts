/** `migratable drain NODE [--after HOSTDATA]`: the implementation. */
import { EXIT_PROBLEM, InputError } from '../../errors.js';
import { computeDrain, type DrainReport } from '../../proxmox/drain/drain.js';
import { drainJson, emitDrainMarkdown, emitDrainText } from '../../proxmox/drain/text.js';
import { loadPlanInput, type ClusterInputOptions } from '../../proxmox/plan/inputs.js';
import { computePlan } from '../../proxmox/plan/plan.js';
import { loadHosts, readHostInputs } from '../inputs.js';
import { parseQemuVersion } from '../options.js';
import { output } from '../output.js';
import { safeJson } from '../../safe-json.js';
import { writeModelFiles } from './model-files.js';

export interface DrainOpts extends ClusterInputOptions {
  after?: string[];
  everyNode?: boolean;
  qemu?: string;
  format: string;
  writeModels?: string;
  output?: string;
  kernel?: string;
}

const FORMATS: Record<string, (r: DrainReport) => string> = {
  text: emitDrainText,
  markdown: emitDrainMarkdown,
  json: (r) => safeJson(drainJson(r)) + '\n',
};

export async function runDrain(node: string, hosts: string[], opts: DrainOpts): Promise<void> {
  if (!FORMATS[opts.format])
    throw new InputError('--format', `unknown format "${opts.format}"; one of ${Object.keys(FORMATS).join(', ')}`);
  if (opts.everyNode && !opts.after?.length) throw new InputError('--every-node', 'needs --after HOSTDATA');
  const input = await loadPlanInput(hosts, opts, loadHosts);
  const plan = computePlan(input, { qemu: parseQemuVersion(opts.qemu), modelsDir: opts.writeModels });
  const after = opts.after?.length ? await readHostInputs(opts.after, opts) : undefined;
  const report = computeDrain(input, plan, node, { after, everyNode: opts.everyNode, modelsDir: opts.writeModels });
  if (opts.writeModels && report.after)
    writeModelFiles(
      opts.writeModels,
      report.after.rollout.models.filter((m) => !m.present),
    );
  output(FORMATS[opts.format](report), opts.output);
  if (report.vms.some((v) => v.status === 'stuck') || report.after?.stranded.length) process.exitCode = EXIT_PROBLEM;
}
