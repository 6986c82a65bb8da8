/** The HA guardrails for a person (text), a change ticket (markdown) and tools (JSON). */
import { safeLine } from '../../safe-text.js';
import type { GuardrailPlan, GuardStatus } from './guardrails.js';

const STATUS: Record<GuardStatus, string> = {
  guarded: 'guarded',
  'already-safe': 'already kept on CPU-safe nodes',
  'runs-everywhere': 'its CPU runs on every node',
  conflict: 'CONFLICT: left alone',
  withheld: 'NOT GUARDED',
  'unknown-cpu': 'CPU unknown: left alone',
  template: 'template: never starts, no guard needed',
};

export function guardrailsText(g: GuardrailPlan, dir: string, pveConfig = '/etc/pve'): string {
  const apply = `migratable apply-ha ${dir}${pveConfig === '/etc/pve' ? '' : ` --pve-config ${pveConfig}`}`;
  const out = [
    '',
    `HA guardrails (${g.mode === 'rules' ? 'node-affinity rules, Proxmox VE 9' : 'HA groups, Proxmox VE 8'}):`,
  ];
  for (const v of g.vms) {
    const change = v.allowedBefore.join(',') === v.allowedAfter.join(',') ? '' : ` (was ${v.allowedBefore.join(', ')})`;
    out.push(
      `  ${v.sid} on ${v.node}: ${STATUS[v.status]}; HA may run it on ${v.allowedAfter.join(', ')}${change}${v.holder ? ` [${safeLine(v.holder)}]` : ''}`,
    );
    for (const n of v.notes) out.push(`    note: ${safeLine(n)}`);
  }
  for (const n of g.notes) out.push(`  note: ${safeLine(n)}`);
  out.push(
    g.files.length
      ? `  written to ${dir}: ${g.files.map((f) => f.name).join(', ')}; review with \`${apply} --dry-run\`, then run \`${apply}\``
      : '  the HA config already keeps every VM on nodes where its CPU runs: nothing to write',
  );
  return out.join('\n') + '\n';
}

export function guardrailsJson(g: GuardrailPlan) {
  return {
    mode: g.mode,
    vms: g.vms.map((v) => ({
      sid: v.sid,
      node: v.node,
      safe: v.safe,
      allowedBefore: v.allowedBefore,
      allowedAfter: v.allowedAfter,
      status: v.status,
      ...(v.holder ? { holder: v.holder } : {}),
      notes: v.notes,
    })),
    files: g.files.map((f) => f.name),
    notes: g.notes,
  };
}
