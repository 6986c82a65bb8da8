/** The plan's model-version part for a person (text), a change ticket (markdown) and tools (JSON). */
import { safeLine } from '../../safe-text.js';
import { describeVersion, type PlanVersions, type VmVersion } from './plan-versions.js';
import { describeUses } from './usage.js';

const label = (v: { vmid: number; name?: string }) => safeLine(v.name ? `${v.vmid} (${v.name})` : String(v.vmid));

const STATUS: Record<VmVersion['status'], string> = {
  current: 'current',
  'older-version': 'older version',
  'no-fit': 'no longer fits its domain',
  pending: 'pending change',
};

export function versionsText(v: PlanVersions): string[] {
  const out: string[] = [];
  if (v.models.length) {
    out.push('', 'model versions in cpu-models.conf:');
    for (const m of v.models)
      out.push(
        `  ${safeLine(m.name)} (${safeLine(m.family)} v${m.version}) ${describeVersion(m)}: ${m.usedBy.length ? `used by ${describeUses(m.usedBy)}` : 'unused'}`,
      );
  }
  if (v.vms.length) {
    out.push('', 'VMs on an older version, a model that no longer fits, or a pending change:');
    for (const vm of v.vms) out.push(`  VM ${label(vm)} on ${vm.node}: ${STATUS[vm.status]}: ${safeLine(vm.why)}`);
  }
  out.push(
    '',
    v.powerCycle.length
      ? 'power-cycle list (after the rollout applies its sections; a full stop and start, the VM is briefly down):'
      : 'no VM needs a power cycle',
  );
  for (const c of v.powerCycle) out.push(`  VM ${label(c)} on ${c.node}: ${c.commands.join(' && ')}`);
  for (const r of v.removable) out.push(`removable: ${safeLine(r.name)}: ${r.why}`);
  if (v.removableAfter.length)
    out.push(
      `removable after the power-cycle list: ${v.removableAfter.map(safeLine).join(', ')} (then migratable prune)`,
    );
  return out;
}

const cell = (s: string) => safeLine(s).replace(/\|/g, '\\|');

export function versionsMarkdown(v: PlanVersions): string[] {
  const out: string[] = [];
  if (v.models.length) {
    out.push(
      '',
      '## Model versions',
      '',
      '| model | family | version | content | used by |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const m of v.models)
      out.push(
        `| \`${cell(m.name)}\` | ${cell(m.family)} | ${m.version} | ${cell(describeVersion(m))} | ${cell(describeUses(m.usedBy)) || 'unused'} |`,
      );
  }
  if (v.vms.length) {
    out.push('', '## VMs to move to another model', '', '| VM | node | status | why |', '| --- | --- | --- | --- |');
    for (const vm of v.vms) out.push(`| ${cell(label(vm))} | ${vm.node} | ${STATUS[vm.status]} | ${cell(vm.why)} |`);
  }
  out.push('', '## Power-cycle list', '');
  if (!v.powerCycle.length) out.push('No VM needs a full stop and start.');
  else {
    out.push('Each VM is briefly down: a full stop and start gives it the new CPU.', '', '```sh');
    for (const c of v.powerCycle) out.push(...c.commands);
    out.push('```');
  }
  if (v.removable.length || v.removableAfter.length) out.push('', '## Removable versions', '');
  for (const r of v.removable) out.push(`- \`${cell(r.name)}\`: ${cell(r.why)}`);
  if (v.removableAfter.length)
    out.push(
      `- after the power-cycle list: ${v.removableAfter.map((n) => `\`${cell(n)}\``).join(', ')} (\`migratable prune\`)`,
    );
  return out;
}

export interface PlanVersionsJson {
  models: Array<{
    name: string;
    family: string;
    version: number;
    hash: string;
    usedBy: number[];
    provenance?: unknown;
  }>;
  vms: Array<{
    vmid: number;
    node: string;
    cpu: string;
    status: VmVersion['status'];
    target?: string;
    why: string;
    commands: string[];
  }>;
  powerCycle: Array<{ vmid: number; node: string; why: string; commands: string[] }>;
  removable: Array<{ name: string; why: string }>;
  removableAfter: string[];
}

export function versionsJson(v: PlanVersions): PlanVersionsJson {
  return {
    models: v.models.map((m) => ({
      name: m.name,
      family: m.family,
      version: m.version,
      hash: m.hash,
      usedBy: [...new Set(m.usedBy.map((u) => u.vmid))],
      ...(m.provenance ? { provenance: m.provenance } : {}),
    })),
    vms: v.vms.map((vm) => ({
      vmid: vm.vmid,
      node: vm.node,
      cpu: vm.cpu,
      status: vm.status,
      ...(vm.target ? { target: vm.target } : {}),
      why: vm.why,
      commands: vm.commands,
    })),
    powerCycle: v.powerCycle.map((c) => ({ vmid: c.vmid, node: c.node, why: c.why, commands: c.commands })),
    removable: v.removable,
    removableAfter: v.removableAfter,
  };
}
