/** The plan for a person (text) and for a change ticket (markdown). */
import type { Plan, PlanStep, PlanVm } from './types.js';
import { renderCpuModelSection } from '../../formats/pve-cpu-models.js';
import { versionsMarkdown, versionsText } from '../versions/plan-text.js';

/** Config files are input: nothing from them reaches a terminal as a control character. */
// eslint-disable-next-line no-control-regex
const safe = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

function vmLabel(v: PlanVm): string {
  return safe(v.name ? `${v.vmid} (${v.name})` : String(v.vmid));
}

function state(v: PlanVm): string {
  if (v.action === 'keep') return 'keep';
  const restart = v.needsRestart ? (v.running === null ? ', restart (state unknown)' : ', restart') : ', stopped';
  return `change to custom-${v.model}${restart}`;
}

function stepLine(s: PlanStep): string {
  if (s.kind === 'apply') return `${s.command}    # add cpu-model ${s.model} to cpu-models.conf`;
  if (s.kind === 'set-cpu') return `${s.command}    # pending until the VM is fully stopped`;
  return `${s.command}    # full stop and start: the VM is briefly down`;
}

export function emitPlanText(plan: Plan): string {
  const out: string[] = [];
  out.push(`${plan.domains.length} migration domain(s), ${plan.vms.length} VM(s)`, '');
  for (const d of plan.domains) {
    out.push(`domain ${d.nodes.join(', ')}: ${safe(d.source)}`);
    out.push(`  model ${d.model.name}${d.present ? ' (already in cpu-models.conf)' : ''}: -cpu ${d.model.cpu}`);
  }
  for (const v of plan.vms) {
    out.push('', `VM ${vmLabel(v)} on ${v.node}: ${state(v)}`);
    out.push(`  now: -cpu ${v.current}`);
    out.push(`  domain: ${v.domain.join(', ')}`);
    out.push(`  live targets now: ${v.liveTargets.join(', ') || 'none'}`);
    for (const b of v.blocked) for (const r of b.reasons) out.push(`  ${b.node} blocked: ${safe(r)}`);
    for (const n of v.notes) out.push(`  note: ${safe(n)}`);
  }
  out.push(...versionsText(plan.versions));
  out.push('', plan.steps.length ? 'rollout, in this order:' : 'nothing to change');
  plan.steps.forEach((s, i) => out.push(`  ${i + 1}. ${stepLine(s)}`));
  if (plan.steps.some((s) => s.kind === 'apply'))
    out.push('  (apply reads the section files: `migratable plan --write-models DIR` writes them)');
  for (const n of plan.notes) out.push(`note: ${safe(n)}`);
  return out.join('\n') + '\n';
}

const cell = (s: string) => safe(s).replace(/\|/g, '\\|');

export function emitPlanMarkdown(plan: Plan): string {
  const out: string[] = ['# CPU model rollout', '', '## Migration domains', ''];
  out.push('| nodes | from | model | -cpu |', '| --- | --- | --- | --- |');
  for (const d of plan.domains)
    out.push(`| ${d.nodes.join(', ')} | ${cell(d.source)} | \`${d.model.name}\` | \`${d.model.cpu}\` |`);
  out.push('', '## VMs', '', '| VM | node | domain | live targets now | blocked | action | restart |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const v of plan.vms) {
    const blocked = v.blocked.map((b) => `${b.node}: ${b.reasons.join('; ')}`).join('<br>') || '-';
    out.push(
      `| ${cell(vmLabel(v))} | ${v.node} | ${v.domain.join(', ')} | ${v.liveTargets.join(', ') || 'none'} | ${cell(blocked)} | ${v.action === 'keep' ? 'keep' : `custom-${v.model}`} | ${v.needsRestart ? 'yes' : 'no'} |`,
    );
  }
  out.push('', '## Steps', '');
  if (!plan.steps.length) out.push('Nothing to change.');
  else out.push('Run in this order; after each step every running VM keeps the targets it had.', '', '```sh');
  for (const s of plan.steps) out.push(s.command);
  if (plan.steps.length) out.push('```');
  const needed = plan.domains.filter((d) => plan.steps.some((s) => s.kind === 'apply' && s.model === d.model.name));
  if (needed.length) out.push('', '## cpu-models.conf sections', '');
  for (const d of needed)
    out.push(`\`${d.model.name}.conf\`:`, '', '```', renderCpuModelSection(d.section).trimEnd(), '```', '');
  out.push(...versionsMarkdown(plan.versions), '');
  const notes = [...plan.notes, ...plan.vms.flatMap((v) => v.notes.map((n) => `${v.vmid}: ${n}`))];
  if (notes.length) out.push('## Notes', '', ...notes.map((n) => `- ${safe(n)}`));
  return out.join('\n').trimEnd() + '\n';
}
