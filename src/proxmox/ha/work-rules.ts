/** HA rules in the shape pve-ha-manager checks and transforms them: resource and node sets. Pure. */
import type { HaRule } from '../config/ha.js';

export interface WorkRule {
  id: string;
  type: HaRule['type'];
  resources: Set<string>;
  affinity: 'positive' | 'negative';
  /** node-affinity only: node -> priority */
  nodes?: Map<string, number>;
  strict?: boolean;
  disabled: boolean;
  /** node-affinity made from this HA group */
  group?: string;
  /** A negative node affinity rule after inversion: the nodes it avoids */
  avoids?: string[];
  /** A positive rule merged from these (ResourceAffinity.pm merge_connected_...) */
  mergedFrom?: string[];
}

export function toWorkRule(r: HaRule): WorkRule {
  const base = { id: r.id, type: r.type, resources: new Set(r.resources), affinity: r.affinity, disabled: r.disabled };
  if (r.type === 'resource-affinity') return base;
  return {
    ...base,
    nodes: new Map(r.nodes.map((n) => [n.node, n.priority])),
    strict: r.strict,
    ...(r.group ? { group: r.group } : {}),
  };
}

export const intersects = (a: Set<string>, b: Set<string>) => [...a].some((x) => b.has(x));

/**
 * Rules/Helpers.pm find_disjoint_rules_resource_sets, step for step: rules sorted by their lowest
 * resource id (string order), each joined to the first set it overlaps. A single pass, so two sets
 * that only a later rule connects stay apart, as they do in Proxmox.
 */
export function findDisjointResourceSets(rules: WorkRule[]): Array<{ ruleIds: string[]; resources: Set<string> }> {
  const lowest = new Map(rules.map((r) => [r.id, [...r.resources].sort()[0] ?? '']));
  const sorted = [...rules]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .sort((a, b) => {
      const [x, y] = [lowest.get(a.id)!, lowest.get(b.id)!];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  const sets: Array<{ ruleIds: string[]; resources: Set<string> }> = [];
  for (const r of sorted) {
    const hit = sets.find((s) => intersects(r.resources, s.resources));
    if (hit) {
      hit.ruleIds.push(r.id);
      for (const sid of r.resources) hit.resources.add(sid);
    } else sets.push({ ruleIds: [r.id], resources: new Set(r.resources) });
  }
  return sets;
}
