/** The default report for an admin: what the guest gets, what it loses and why, and what to do. */
import { someNames } from '../engine/some-names.js';
import { CATEGORY_ORDER, resolveFeature, type Category } from '../catalog/index.js';
import type { BaselineResult } from '../engine/types.js';
import { hanging } from '../wrap.js';

export interface TextOptions {
  /** Line width to wrap at (default 100) */
  width?: number;
}

/** `label` then `words` filling the line, continuation lines indented under the first word. */
/** Who lacks a feature, said the short way round when most hosts do. */
function whoLacks(missingOn: string[], hosts: string[]): string {
  if (missingOn.length <= 6) return `missing on ${missingOn.join(', ')}`;
  const lacking = new Set(missingOn);
  const having = hosts.filter((h) => !lacking.has(h));
  if (having.length <= 3) return `only on ${having.join(', ') || 'no host'} (missing on the other ${missingOn.length})`;
  return `missing on ${missingOn.length} of ${hosts.length} hosts: ${someNames(missingOn, 4)}`;
}

/** Wraps prose (splits on blanks). */
const prose = (label: string, text: string, width: number) => hanging(label, text.split(/\s+/).filter(Boolean), width);

function byCategory(features: string[]): Map<Category, string[]> {
  const groups = new Map<Category, string[]>();
  for (const f of features) {
    const c = resolveFeature(f)?.category ?? 'other';
    groups.set(c, [...(groups.get(c) ?? []), f]);
  }
  return new Map(CATEGORY_ORDER.filter((c) => groups.has(c)).map((c) => [c, groups.get(c)!.sort()]));
}

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

export function emitText(r: BaselineResult, opts: TextOptions = {}): string {
  const width = opts.width ?? 100;
  const out: string[] = [];
  const field = (key: string, value: string) => out.push(...prose(key.padEnd(11), value, width));

  field('Model', r.name);
  out.push(...hanging('-cpu'.padEnd(11), r.cpu.split(/(?<=,)/), width, ''));
  field('Base', `${r.base}: ${r.baseReason}`);
  field(
    'phys-bits',
    r.physBits === null
      ? 'not pinned'
      : r.physBitsUnknownOn?.length
        ? `${r.physBits} (at most QEMU's default; unknown for ${r.physBitsUnknownOn.length} host(s), see warnings)`
        : `${r.physBits} (the smallest of all hosts)`,
  );
  field(
    'Hosts',
    `${r.hosts.length}: ${someNames(r.hosts, 12)}${r.vendors.length ? ` (${r.vendors.join(' + ')})` : ''}`,
  );
  if (r.qemu) field('QEMU', `${r.qemu} or newer`);
  if (r.richestBuiltin !== undefined)
    field(
      'Built-in',
      r.richestBuiltin
        ? `${r.richestBuiltin} is the richest built-in type that runs on every host; this model gives ${r.features.length} features` +
            (r.builtinCaveat ? `. ${r.builtinCaveat}` : '')
        : 'no built-in type runs on every host',
    );

  out.push('', `Gained over kvm64 (${plural(r.gainsOverKvm64.length, 'feature')})`);
  if (!r.gainsOverKvm64.length) out.push('  none');
  for (const [cat, fs] of byCategory(r.gainsOverKvm64)) out.push(...hanging(`  ${cat.padEnd(18)}`, fs, width));

  out.push('', `Lost (${plural(r.lost.length, 'feature')} some host lacks or that cannot migrate)`);
  if (!r.lost.length) out.push('  none');
  const fw = Math.min(24, Math.max(0, ...r.lost.map((l) => l.feature.length)));
  for (const l of [...r.lost].sort((a, b) => a.feature.localeCompare(b.feature))) {
    const why = l.missingOn.length ? whoLacks(l.missingOn, r.hosts) : '';
    const reason = l.reason ? `${why ? '; ' : ''}${l.reason}` : '';
    out.push(...prose(`  ${l.feature.padEnd(fw)}  `, why + reason, width));
  }

  if (r.blockers.length) {
    out.push('', 'Hosts holding the model back');
    for (const b of r.blockers) {
      out.push(
        ...hanging(`  leaving out ${b.host} would add ${plural(b.wouldAdd.length, 'feature')}: `, b.wouldAdd, width),
      );
    }
  }

  if (r.alternatives.length) {
    out.push('', 'Per-vendor alternatives (migrate only within the group)');
    for (const a of r.alternatives) {
      out.push(...prose(`  ${a.vendor}: `, `${someNames(a.hosts, 8)} -> base ${a.base}`, width));
      out.push(...hanging('    -cpu ', a.cpu.split(/(?<=,)/), width, ''));
      out.push(...hanging(`    gains ${a.gains.length}: `, a.gains, width));
    }
  }

  out.push('', `Warnings (${r.warnings.length})`);
  if (!r.warnings.length) out.push('  none');
  for (const w of r.warnings) {
    out.push(...prose(`  [${w.code}] `, w.message, width));
    if (w.advice) out.push(...prose('      advice: ', w.advice, width));
  }
  return out.join('\n') + '\n';
}
