/** The drain report for a person (text), a change ticket (markdown) and tools (JSON). */
import { safeLine } from '../../safe-text.js';
import type { DrainFix, DrainReport, DrainVm } from './drain.js';

const label = (v: { vmid: number; name?: string }) => safeLine(v.name ? `${v.vmid} (${v.name})` : String(v.vmid));

function fixLine(f: DrainFix): string {
  if (f.kind === 'cold-move') return `cold move to ${f.to.join(' or ')}: ${f.commands.join(' && ')}`;
  return `model change at its next cold start to custom-${f.model} (then live to ${f.liveTargetsAfter.join(', ') || 'no node'}): ${f.commands.join(' && ')}`;
}

function status(v: DrainVm): string {
  if (v.lock) return `CANNOT MOVE: locked (${safeLine(v.lock)})`;
  if (v.status === 'live') return `live-migrates to ${v.liveTargets.join(', ')}`;
  if (v.status === 'stopped') return v.template ? 'a template: moves offline' : 'stopped: moves offline';
  return v.template ? 'CANNOT MOVE' : 'CANNOT MOVE LIVE';
}

export function emitDrainText(r: DrainReport): string {
  const stuck = r.vms.filter((v) => v.status === 'stuck');
  const out = [
    `drain ${r.node}: ${r.vms.length} VM(s), ${stuck.length ? `${stuck.length} cannot move live now` : 'every one can move now'}`,
  ];
  for (const v of r.vms) {
    out.push('', `VM ${label(v)}${v.ha ? ' [HA]' : ''}: ${status(v)}`);
    out.push(`  now: -cpu ${v.cpu}`, `  domain: ${v.domain.join(', ')}`);
    if (v.together?.length) out.push(`  keep-together: ${v.together.join(', ')}`);
    if (v.apart?.length) out.push(`  keep-apart: ${v.apart.join(', ')}`);
    for (const b of v.blocked) for (const why of b.reasons) out.push(`  ${b.node} blocked: ${safeLine(why)}`);
    if (v.commands.length) out.push(`  run: ${v.commands.join(' && ')}`);
    v.fixes.forEach((f, i) => out.push(`  ${i === 0 ? 'least change' : 'or'}: ${fixLine(f)}`));
    for (const n of v.notes) out.push(`  note: ${safeLine(n)}`);
  }
  if (r.after) {
    out.push('', `after the planned change of ${r.after.replaced.join(', ')}:`);
    if (!r.after.stranded.length) out.push('  no VM is stranded: every VM still runs wherever its domain allows');
    for (const s of r.after.stranded) {
      const where = s.loses.map((l) => `${l.node} (missing ${l.missing.join(', ')})`).join('; ');
      const sev =
        s.severity === 'nowhere'
          ? 'STRANDED: runs on no node of its domain afterwards'
          : s.severity === 'cannot-return'
            ? `STRANDED: once moved off ${s.node} it cannot come back`
            : 'loses nodes';
      out.push(`  VM ${label(s)} on ${s.node}: ${sev}: ${safeLine(where)}`);
    }
    if (r.after.rollout.steps.length) {
      out.push('', 'roll out first, before the change:');
      for (const m of r.after.rollout.models)
        out.push(
          `  model ${safeLine(m.name)}${m.present ? ' (already in cpu-models.conf)' : ''}: -cpu ${m.cpu}`,
          `    ${safeLine(m.why)}`,
        );
      r.after.rollout.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.command}`));
      for (const n of r.after.rollout.notes) out.push(`  note: ${safeLine(n)}`);
    }
  }
  for (const n of r.notes) out.push(`note: ${safeLine(n)}`);
  return out.join('\n') + '\n';
}

const cell = (s: string) => safeLine(s).replace(/\|/g, '\\|');

export function emitDrainMarkdown(r: DrainReport): string {
  const out = [
    `# Drain ${r.node}`,
    '',
    '| VM | status | live targets | blocked | least change |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const v of r.vms) {
    const blocked = v.blocked.map((b) => `${b.node}: ${b.reasons.join('; ')}`).join('<br>') || '-';
    out.push(
      `| ${cell(label(v))} | ${v.lock ? `stuck: locked (${cell(v.lock)})` : v.template ? `${v.status} (template)` : v.status} | ${v.liveTargets.join(', ') || 'none'} | ${cell(blocked)} | ${v.fixes[0] ? cell(fixLine(v.fixes[0])) : '-'} |`,
    );
  }
  if (r.after) {
    out.push('', `## After the planned change of ${r.after.replaced.join(', ')}`, '');
    if (!r.after.stranded.length) out.push('No VM is stranded.');
    for (const s of r.after.stranded)
      out.push(
        `- VM ${cell(label(s))} on ${s.node} (${s.severity}): ${cell(s.loses.map((l) => `${l.node} misses ${l.missing.join(', ')}`).join('; '))}`,
      );
    if (r.after.rollout.steps.length) {
      out.push('', '## Roll out first', '', '```sh', ...r.after.rollout.steps.map((s) => s.command), '```');
      for (const n of r.after.rollout.notes) out.push(`- ${cell(n)}`);
    }
  }
  return out.join('\n') + '\n';
}

export function drainJson(r: DrainReport) {
  return {
    node: r.node,
    vms: r.vms,
    ...(r.after
      ? {
          after: {
            replaced: r.after.replaced,
            stranded: r.after.stranded,
            rollout: {
              models: r.after.rollout.models.map(({ section: _s, ...m }) => m),
              steps: r.after.rollout.steps,
              notes: r.after.rollout.notes,
            },
          },
        }
      : {}),
    notes: r.notes,
  };
}
