/**
 * The feasibility checks pve-ha-manager runs before it applies any rule, each with Proxmox's own
 * message: a rule that fails one is dropped ("Drop rule 'ID', because MESSAGE."). Pure.
 *
 * Sources (pve-ha-manager git b71218f = 5.2.0 unless said): Rules.pm check_feasibility and transform
 * (all checks see the same rule set, every failing rule is dropped at once, messages sorted by rule
 * id), Rules/NodeAffinity.pm check_single_resource_reference, Rules/ResourceAffinity.pm
 * check_resource_affinity_resources_count, check_negative_resource_affinity_resources_count,
 * check_inter_resource_affinity_rules_consistency, Rules.pm
 * check_single_priority_node_affinity_in_resource_affinity_rules,
 * check_single_node_affinity_per_positive_resource_affinity_rule,
 * check_negative_resource_affinity_node_affinity_consistency; and from the release adding negative
 * node affinity (NodeAffinity.pm after 5.2.0, the pve-devel series cited in ../config/ha.ts):
 * check_nonempty_negative_nodes_complement and check_unprioritized_negative_nodes.
 */
import type { WorkRule } from './work-rules.js';
import { findDisjointResourceSets, intersects } from './work-rules.js';

/** rule id -> property -> messages, as Rules.pm collects them */
export type RuleErrors = Map<string, Map<string, string[]>>;

interface CheckArgs {
  nodeAffinity: WorkRule[];
  resourceAffinity: WorkRule[];
  positive: WorkRule[];
  negative: WorkRule[];
  clusterNodes: string[];
}

function push(errors: RuleErrors, id: string, opt: string, message: string): void {
  const byOpt = errors.get(id) ?? new Map<string, string[]>();
  errors.set(id, byOpt);
  byOpt.set(opt, [...(byOpt.get(opt) ?? []), message]);
}

const byId = (a: WorkRule, b: WorkRule) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Rules/NodeAffinity.pm: a resource may be in one node affinity rule only; every rule naming it is dropped. */
function singleResourceReference({ nodeAffinity }: CheckArgs, errors: RuleErrors): void {
  const rulesOf = new Map<string, string[]>();
  for (const r of nodeAffinity) for (const sid of r.resources) rulesOf.set(sid, [...(rulesOf.get(sid) ?? []), r.id]);
  const conflicts: Array<[string, string]> = [];
  for (const [sid, ids] of rulesOf) if (ids.length > 1) for (const id of ids) conflicts.push([id, sid]);
  conflicts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  for (const [id, sid] of conflicts)
    push(errors, id, 'resources', `resource '${sid}' is already used in another node affinity rule`);
}

/** Negative node affinity over every cluster node: strict is unsatisfiable, non-strict means nothing. */
function nonemptyNegativeComplement({ nodeAffinity, clusterNodes }: CheckArgs, errors: RuleErrors): void {
  for (const r of [...nodeAffinity].sort(byId))
    if (r.affinity === 'negative' && r.nodes!.size >= clusterNodes.length)
      push(errors, r.id, 'nodes', 'negative node affinity rule must not specify all cluster nodes');
}

function unprioritizedNegativeNodes({ nodeAffinity }: CheckArgs, errors: RuleErrors): void {
  for (const r of [...nodeAffinity].sort(byId))
    if (r.affinity === 'negative' && [...r.nodes!.values()].some((p) => p !== 0))
      push(errors, r.id, 'nodes', 'negative node affinity rule must not specify node priorities');
}

function resourceAffinityCount({ resourceAffinity }: CheckArgs, errors: RuleErrors): void {
  for (const r of [...resourceAffinity].sort(byId))
    if (r.resources.size < 2)
      push(errors, r.id, 'resources', 'rule is ineffective as there are less than two resources');
}

function negativeResourceCount({ negative, clusterNodes }: CheckArgs, errors: RuleErrors): void {
  for (const r of [...negative].sort(byId))
    if (r.resources.size > clusterNodes.length)
      push(errors, r.id, 'resources', 'rule defines more resources than available nodes');
}

function interResourceAffinity({ positive, negative }: CheckArgs, errors: RuleErrors): void {
  const conflicts: Array<['negative' | 'positive', string]> = [];
  for (const set of findDisjointResourceSets(positive))
    for (const n of negative) {
      if ([...n.resources].filter((s) => set.resources.has(s)).length < 2) continue;
      conflicts.push(['negative', n.id], ...set.ruleIds.map((id): ['positive', string] => ['positive', id]));
    }
  for (const [type, id] of sortConflicts(conflicts))
    push(
      errors,
      id,
      'resources',
      `rule shares two or more resources with a ${type === 'positive' ? 'negative' : 'positive'} resource affinity rule`,
    );
}

const hasMultiplePriorities = (r: WorkRule) => new Set(r.nodes!.values()).size > 1;

function singlePriorityNodeAffinity({ resourceAffinity, nodeAffinity }: CheckArgs, errors: RuleErrors): void {
  const conflicts: Array<[string, string]> = [];
  for (const ra of resourceAffinity) {
    const paired = nodeAffinity.filter((na) => intersects(ra.resources, na.resources));
    if (!paired.some(hasMultiplePriorities)) continue;
    conflicts.push(['resource-affinity', ra.id], ...paired.map((na): [string, string] => ['node-affinity', na.id]));
  }
  for (const [type, id] of sortConflicts(conflicts))
    push(
      errors,
      id,
      'resources',
      type === 'node-affinity'
        ? 'resources are in a resource affinity rule and cannot be in a node affinity rule with multiple priorities'
        : 'resources are in node affinity rules with multiple priorities',
    );
}

function singleNodeAffinityPerPositive({ positive, nodeAffinity }: CheckArgs, errors: RuleErrors): void {
  const conflicts: Array<[string, string]> = [];
  for (const set of findDisjointResourceSets(positive)) {
    const paired = nodeAffinity.filter((na) => intersects(set.resources, na.resources));
    if (paired.length < 2) continue;
    conflicts.push(
      ...set.ruleIds.map((id): [string, string] => ['positive', id]),
      ...paired.map((na): [string, string] => ['node-affinity', na.id]),
    );
  }
  for (const [type, id] of sortConflicts(conflicts))
    push(
      errors,
      id,
      'resources',
      type === 'positive'
        ? 'resources are in multiple node affinity rules'
        : 'at least one resource is in a positive resource affinity rule and there are other resources in at least one other node affinity rule already',
    );
}

/** Counts the node affinity rules' node sets as written (before negative ones are inverted), like Rules.pm. */
function negativeResourceNodeAffinity({ negative, nodeAffinity }: CheckArgs, errors: RuleErrors): void {
  const conflicts: Array<[string, string]> = [];
  for (const n of negative) {
    const allowed = new Set<string>();
    const located = new Set<string>();
    const paired: string[] = [];
    for (const na of nodeAffinity) {
      const common = [...n.resources].filter((s) => na.resources.has(s));
      if (!common.length) continue;
      for (const s of common) located.add(s);
      for (const node of na.nodes!.keys()) allowed.add(node);
      paired.push(na.id);
    }
    if (allowed.size < located.size)
      conflicts.push(['negative', n.id], ...paired.map((id): [string, string] => ['node-affinity', id]));
  }
  for (const [type, id] of sortConflicts(conflicts))
    push(
      errors,
      id,
      'resources',
      type === 'negative'
        ? 'two or more resources are restricted to less nodes than available to the resources'
        : 'at least one resource is in a negative resource affinity rule and this rule would restrict these to less nodes than available to the resources',
    );
}

function sortConflicts<T extends [string, string]>(c: T[]): T[] {
  return [...c].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

/** In registration order: node-affinity's checks, resource-affinity's, then the global ones. */
const CHECKS = [
  singleResourceReference,
  nonemptyNegativeComplement,
  unprioritizedNegativeNodes,
  resourceAffinityCount,
  negativeResourceCount,
  interResourceAffinity,
  singlePriorityNodeAffinity,
  singleNodeAffinityPerPositive,
  negativeResourceNodeAffinity,
];

/** Rules.pm check_feasibility over the enabled rules. */
export function feasibilityErrors(enabled: WorkRule[], clusterNodes: string[]): RuleErrors {
  const resourceAffinity = enabled.filter((r) => r.type === 'resource-affinity');
  const args: CheckArgs = {
    nodeAffinity: enabled.filter((r) => r.type === 'node-affinity'),
    resourceAffinity,
    positive: resourceAffinity.filter((r) => r.affinity === 'positive'),
    negative: resourceAffinity.filter((r) => r.affinity === 'negative'),
    clusterNodes,
  };
  const errors: RuleErrors = new Map();
  for (const check of CHECKS) check(args, errors);
  return errors;
}

/** Rules.pm transform's log lines: sorted by rule id, then property. */
export function dropMessages(errors: RuleErrors): string[] {
  const out: string[] = [];
  for (const id of [...errors.keys()].sort())
    for (const opt of [...errors.get(id)!.keys()].sort())
      for (const m of errors.get(id)!.get(opt)!) out.push(`Drop rule '${id}', because ${m}.`);
  return out;
}
