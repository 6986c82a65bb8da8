/**
 * The lost features grouped by cause (the same hosts lack them, or one policy keeps them out) and
 * ranked by what guests lose: vector and crypto instructions weigh more than a legacy bit. Pure.
 */
import { resolveFeature, type Category } from '../catalog/index.js';
import type { LostFeature } from './types.js';

/** Rough value to a guest workload, by category: what software actually branches on. */
const WEIGHT: Record<Category, number> = {
  simd: 5,
  crypto: 5,
  'bit-manipulation': 3,
  security: 3,
  memory: 2,
  timer: 1,
  paravirtual: 1,
  virtualization: 1,
  other: 1,
};

export interface LostGroup {
  /** A policy reason (tsx, disabled, ...) or null when hosts lack them */
  reason: string | null;
  /** Hosts lacking every feature of the group (empty for a policy group) */
  missingOn: string[];
  /** Most valuable first */
  features: string[];
  weight: number;
}

export function featureWeight(feature: string): number {
  return WEIGHT[resolveFeature(feature)?.category ?? 'other'];
}

export function groupLost(lost: LostFeature[]): LostGroup[] {
  const groups = new Map<string, LostGroup>();
  for (const l of lost) {
    const reason = l.missingOn.length ? null : (l.reason ?? null);
    const key = reason ? `reason:${reason}` : `hosts:${l.missingOn.join('\n')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { reason, missingOn: reason ? [] : l.missingOn, features: [], weight: 0 }));
    g.features.push(l.feature);
    g.weight += featureWeight(l.feature);
  }
  for (const g of groups.values()) g.features.sort((a, b) => featureWeight(b) - featureWeight(a) || a.localeCompare(b));
  // What hosts hold back first (that can be fixed), then what policy keeps out; heaviest first in each
  return [...groups.values()].sort(
    (a, b) =>
      Number(!!a.reason) - Number(!!b.reason) || b.weight - a.weight || a.features[0].localeCompare(b.features[0]),
  );
}
