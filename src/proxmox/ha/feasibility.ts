/**
 * Which HA rules Proxmox drops as infeasible, so the guardrails neither lean on an admin rule PVE
 * ignores nor write one it would drop. The checks of pve-ha-manager 5.2.0 (b71218f) Rules.pm
 * check_feasibility, by what they refuse (each names every rule involved):
 * - a resource in two node-affinity rules (Rules/NodeAffinity.pm check_single_resource_reference);
 * - a resource-affinity rule of fewer than two resources, a negative one of more resources than
 *   nodes, a positive and a negative one sharing two resources (Rules/ResourceAffinity.pm);
 * - a node-affinity rule with several priorities sharing a resource with a resource-affinity rule,
 *   a keep-together bundle in more than one node-affinity rule, and a keep-apart rule whose
 *   resources' node-affinity rules list fewer nodes than resources they place (Rules.pm). Pure.
 */
import type { NodePriority } from './ha-files.js';

export interface FeasibilityRule {
  id: string;
  type: 'node-affinity' | 'resource-affinity';
  resources: string[];
  nodes?: NodePriority[];
  affinity?: string;
}

const shares = (a: string[], b: string[]) => a.some((x) => b.includes(x));

/** Bundles of positive rules as Rules/Helpers.pm find_disjoint_rules_resource_sets forms them (one pass). */
function positiveSets(positive: FeasibilityRule[]): Array<{ ids: string[]; resources: string[] }> {
  const lowest = (r: FeasibilityRule) => [...r.resources].sort()[0] ?? '';
  const sorted = [...positive]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .sort((a, b) => (lowest(a) < lowest(b) ? -1 : lowest(a) > lowest(b) ? 1 : 0));
  const out: Array<{ ids: string[]; resources: string[] }> = [];
  for (const r of sorted) {
    const e = out.find((x) => shares(x.resources, r.resources));
    if (e) {
      e.ids.push(r.id);
      e.resources = [...new Set([...e.resources, ...r.resources])];
    } else out.push({ ids: [r.id], resources: [...r.resources] });
  }
  return out;
}

/** Rule id -> why PVE drops it; empty when every rule is feasible. Disabled rules are left out by the caller. */
export function infeasibleRules(rules: FeasibilityRule[], nodes: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const flag = (id: string, why: string) => out.set(id, [...(out.get(id) ?? []), why]);
  const na = rules.filter((r) => r.type === 'node-affinity');
  const ra = rules.filter((r) => r.type === 'resource-affinity');
  const positive = ra.filter((r) => r.affinity === 'positive');
  const negative = ra.filter((r) => r.affinity === 'negative');
  const bySid = new Map<string, string[]>();
  for (const r of na) for (const sid of new Set(r.resources)) bySid.set(sid, [...(bySid.get(sid) ?? []), r.id]);
  for (const [sid, ids] of bySid)
    if (ids.length > 1) for (const id of ids) flag(id, `${sid} is in another node-affinity rule too`);
  for (const r of ra) if (new Set(r.resources).size < 2) flag(r.id, 'fewer than two resources');
  for (const r of negative) if (new Set(r.resources).size > nodes.length) flag(r.id, 'more resources than nodes');
  const sets = positiveSets(positive);
  for (const s of sets)
    for (const n of negative)
      if (s.resources.filter((x) => n.resources.includes(x)).length >= 2) {
        flag(n.id, 'shares two or more resources with a positive resource-affinity rule');
        for (const id of s.ids) flag(id, 'shares two or more resources with a negative resource-affinity rule');
      }
  const multi = (r: FeasibilityRule) => new Set((r.nodes ?? []).map((n) => n.priority)).size > 1;
  for (const r of ra) {
    const paired = na.filter((n) => shares(n.resources, r.resources));
    if (paired.some(multi)) {
      flag(r.id, 'its resources are in a node-affinity rule with several priorities');
      for (const n of paired) flag(n.id, 'several priorities for resources in a resource-affinity rule');
    }
  }
  for (const s of sets) {
    const paired = na.filter((n) => shares(n.resources, s.resources));
    if (paired.length > 1) {
      for (const id of s.ids) flag(id, 'its resources are in several node-affinity rules');
      for (const n of paired) flag(n.id, 'a keep-together bundle is in another node-affinity rule too');
    }
  }
  for (const neg of negative) {
    const located = new Set<string>();
    const listed = new Set<string>();
    const paired: string[] = [];
    for (const n of na) {
      const common = n.resources.filter((x) => neg.resources.includes(x));
      if (!common.length) continue;
      common.forEach((x) => located.add(x));
      (n.nodes ?? []).forEach((x) => listed.add(x.node));
      paired.push(n.id);
    }
    if (listed.size < located.size) {
      flag(neg.id, 'its resources are restricted to fewer nodes than resources');
      for (const id of paired) flag(id, 'restricts keep-apart resources to fewer nodes than resources');
    }
  }
  return out;
}
