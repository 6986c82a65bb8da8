/**
 * Which cpu-models.conf sections may go: only those no VM config, pending change or snapshot names
 * (usage.ts). Without names, the superseded versions: an older version of a family whose newer
 * version is in the file. Pure.
 */
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import { familyMembers, familyOf } from './naming.js';
import { describeUses, type ModelUse } from './usage.js';

export interface PruneChoice {
  remove: string[];
  keep: Array<{ name: string; why: string }>;
}

/** The newer version of the same family, when the file has one. */
export function newerVersionOf(name: string, names: string[]): string | undefined {
  const { base, version } = familyOf(name, names);
  const newer = familyMembers(base, names).filter((m) => m.version > version);
  return newer.length ? newer[newer.length - 1].name : undefined;
}

export function prunableModels(
  models: CpuModelSection[],
  uses: Map<string, ModelUse[]>,
  names: string[] = [],
): PruneChoice {
  const all = models.map((m) => m.name);
  const out: PruneChoice = { remove: [], keep: [] };
  const candidates = names.length ? names : all.filter((n) => newerVersionOf(n, all) !== undefined);
  for (const name of [...new Set(candidates)]) {
    const used = uses.get(name) ?? [];
    if (!all.includes(name)) out.keep.push({ name, why: 'not in the file' });
    else if (used.length) out.keep.push({ name, why: `used by VM ${describeUses(used)}` });
    else out.remove.push(name);
  }
  return out;
}
