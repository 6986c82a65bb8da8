/** `targets`: the implementation, loaded only when it runs (no models, no emitters: only targets). */
import { isPveVmid } from '../../catalog/proxmox.js';
import { EXIT_PROBLEM, InputError } from '../../errors.js';
import { compileHa } from '../../proxmox/ha/compile.js';
import { vmDomain } from '../../proxmox/ha/domains.js';
import { preconditionJson, targetsJson, type TargetsJson } from '../../proxmox/plan/answer.js';
import { loadPlanInput, loadTargetsInput, type ClusterInputOptions } from '../../proxmox/plan/inputs.js';
import { TargetSolver, targetInputs } from '../../proxmox/plan/targets.js';
import { safeJson } from '../../safe-json.js';
import { loadHosts } from '../inputs.js';
import { output } from '../output.js';

function checkFormat(format: string, known: string[]): void {
  if (!known.includes(format))
    throw new InputError('--format', `unknown format "${format}"; one of ${known.join(', ')}`);
}

export interface TargetsOpts extends ClusterInputOptions {
  format: string;
  all?: boolean;
}

const TARGET_FORMATS = ['text', 'json', 'precondition'];

/** Every VM's answer, the whole cluster read once (no models: targets need none). */
async function allTargets(hosts: string[], opts: TargetsOpts): Promise<{ answers: TargetsJson[]; nodes: string[] }> {
  const input = await loadPlanInput(hosts, opts, loadHosts);
  const ha = compileHa(input.ha, input.nodes);
  const solver = new TargetSolver(targetInputs(input, ha));
  const vms = [...input.vms].sort((a, b) => a.vmid - b.vmid);
  return {
    answers: vms.map((vm) => {
      const d = vmDomain(vm.vmid, input.nodes, ha);
      return targetsJson(vm, d, solver.vmTargets(vm, d.nodes));
    }),
    nodes: input.nodes,
  };
}

async function oneTarget(
  vmid: number,
  hosts: string[],
  opts: TargetsOpts,
): Promise<{ answer: TargetsJson; nodes: string[] }> {
  const { input, ha } = await loadTargetsInput([vmid], hosts, opts, loadHosts);
  const vm = input.vms.find((v) => v.vmid === vmid)!;
  const d = vmDomain(vmid, input.nodes, ha);
  return {
    answer: targetsJson(vm, d, new TargetSolver(targetInputs(input, ha)).vmTargets(vm, d.nodes)),
    nodes: input.nodes,
  };
}

export async function runTargets(vmid: string | undefined, hosts: string[], opts: TargetsOpts): Promise<void> {
  checkFormat(opts.format, TARGET_FORMATS);
  const asJson = (a: TargetsJson, nodes: string[]) => (opts.format === 'precondition' ? preconditionJson(a, nodes) : a);
  if (opts.all) {
    // `targets --all DIR`: the first argument is host data, not a VM
    const { answers, nodes } = await allTargets(vmid === undefined ? hosts : [vmid, ...hosts], opts);
    if (opts.format === 'text')
      output(answers.map((a) => `${a.vmid}: ${a.liveTargets.join(' ') || 'none'}`).join('\n'));
    else output(safeJson(answers.map((a) => asJson(a, nodes))));
    return;
  }
  if (vmid === undefined || !isPveVmid(vmid))
    throw new InputError(
      'vmid',
      vmid === undefined ? 'give a VM id, or --all' : `${JSON.stringify(vmid)} is not a VM id`,
    );
  const { answer, nodes } = await oneTarget(Number(vmid), hosts, opts);
  if (opts.format !== 'text') output(safeJson(asJson(answer, nodes)));
  else if (answer.liveTargets.length) output(answer.liveTargets.join('\n'));
  else process.stderr.write(`VM ${vmid} has no live target now (${answer.blocked.length} node(s) blocked)\n`);
  if (!answer.liveTargets.length) process.exitCode = EXIT_PROBLEM;
}
