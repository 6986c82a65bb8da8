/**
 * Which HA rules are in force and what they say for each resource, computed the way pve-ha-manager
 * does it in Config.pm read_and_compile_rules_config (git b71218f = 5.2.0): HA groups become
 * node-affinity rules (Groups.pm migrate_groups_to_rules: `ha-group-ID`, strict = restricted, for
 * the resources naming the group), disabled rules are left out (Rules.pm foreach_rule), infeasible
 * rules are dropped with Proxmox's messages (./checks.ts), then the transforms run in registration
 * order: negative node affinity becomes positive over the other nodes (NodeAffinity.pm after 5.2.0,
 * invert_negative_node_affinity_rules), connected keep-together rules merge
 * (ResourceAffinity.pm merge_connected_positive_resource_affinity_rules), keep-together resources
 * inherit each other's keep-apart partners (create_implicit_negative_resource_affinity_rules) and
 * their node affinity rule (Rules.pm create_implicit_positive_resource_affinity_node_affinity_rules).
 * Last the compile: per resource its node affinity (a non-strict rule adds every other node at
 * priority -1, NodeAffinity.pm plugin_compile) and its keep-together and keep-apart partners
 * (ResourceAffinity.pm plugin_compile). Pure.
 */
import type { HaConfig, HaResource } from '../config/ha.js';
import { dropMessages, feasibilityErrors } from './checks.js';
import { findDisjointResourceSets, intersects, toWorkRule, type WorkRule } from './work-rules.js';

export interface NodeAffinity {
  /** The rule in force, e.g. `intel-only` or `ha-group-intel` */
  ruleId: string;
  /** For people: "HA rule 'x'" or "HA group 'g'" */
  label: string;
  strict: boolean;
  /**
   * The nodes it lists with their priorities, a negative rule's already inverted. A non-strict rule
   * also allows every other node, at priority -1 (NodeAffinity.pm plugin_compile).
   */
  nodes: Map<string, number>;
  /** A negative rule: the nodes it avoids */
  avoids?: string[];
}

export interface CompiledHa {
  nodeAffinity: Map<string, NodeAffinity>;
  /** sid -> resources kept on the same node (they move together) */
  together: Map<string, Set<string>>;
  /** sid -> resources kept on other nodes */
  apart: Map<string, Set<string>>;
  /** HA resources that HA manages: every configured one but `ignored` ones (Config.pm service_check_ha_state) */
  managed: Map<string, HaResource>;
  /**
   * Per resource, every rule naming it that Proxmox drops or ignores, and why: what a VM's own
   * answer (plan, targets, drain) says beside the cluster-wide notes
   */
  ruleNotes: Map<string, string[]>;
  notes: string[];
}

export function groupRuleId(group: string): string {
  return `ha-group-${group}`;
}

/** Groups.pm migrate_groups_to_rules: one rule per group that some resource names. */
function groupRules(ha: HaConfig, notes: string[]): WorkRule[] {
  const out: WorkRule[] = [];
  for (const g of ha.groups) {
    const members = ha.resources.filter((r) => r.group === g.id).map((r) => r.sid);
    if (!members.length) continue;
    out.push(
      toWorkRule({
        type: 'node-affinity',
        id: groupRuleId(g.id),
        resources: members,
        nodes: g.nodes,
        strict: g.restricted,
        affinity: 'positive',
        disabled: false,
        group: g.id,
      }),
    );
  }
  for (const r of ha.resources)
    if (r.group && !ha.groups.some((g) => g.id === r.group))
      notes.push(`HA resource ${r.sid} names group '${r.group}', which does not exist`);
  return out;
}

function invertNegativeNodeAffinity(rules: WorkRule[], clusterNodes: string[]): void {
  for (const r of rules) {
    if (r.type !== 'node-affinity' || r.affinity !== 'negative') continue;
    r.avoids = [...r.nodes!.keys()].sort();
    r.nodes = new Map(clusterNodes.filter((n) => !r.nodes!.has(n)).map((n) => [n, 0]));
    r.affinity = 'positive';
  }
}

function mergeConnectedPositive(rules: WorkRule[]): WorkRule[] {
  const positive = rules.filter((r) => r.type === 'resource-affinity' && r.affinity === 'positive');
  let out = rules;
  for (const set of findDisjointResourceSets(positive)) {
    if (set.ruleIds.length < 2) continue;
    const first = out.findIndex((r) => r.id === set.ruleIds[0]);
    const merged: WorkRule = {
      id: `_merged-${set.ruleIds.join('-')}`,
      type: 'resource-affinity',
      affinity: 'positive',
      resources: set.resources,
      disabled: false,
      mergedFrom: set.ruleIds,
    };
    // The merged rule takes the first rule's place in the order
    out = out.flatMap((r, i) => (i === first ? [merged] : set.ruleIds.includes(r.id) ? [] : [r]));
  }
  return out;
}

function implicitNegatives(rules: WorkRule[]): WorkRule[] {
  const positive = rules.filter((r) => r.type === 'resource-affinity' && r.affinity === 'positive');
  const negative = rules.filter((r) => r.type === 'resource-affinity' && r.affinity === 'negative');
  const added: WorkRule[] = [];
  for (const p of positive) {
    const separatedFrom = new Map<string, Set<string>>();
    for (const n of negative)
      for (const sid of p.resources) {
        if (!n.resources.has(sid)) continue;
        for (const csid of n.resources)
          if (csid !== sid) separatedFrom.set(csid, (separatedFrom.get(csid) ?? new Set()).add(sid));
      }
    for (const [csid, from] of separatedFrom)
      for (const sid of p.resources)
        if (!from.has(sid))
          added.push({
            id: `_implicit-negative-${p.id}-${sid}-${csid}`,
            type: 'resource-affinity',
            affinity: 'negative',
            resources: new Set([sid, csid]),
            disabled: false,
          });
  }
  return [...rules, ...added];
}

/** Every keep-together resource joins the node affinity rule one of them is in (at most one, by the checks). */
function bundlesInheritNodeAffinity(rules: WorkRule[]): void {
  const nodeAffinity = rules.filter((r) => r.type === 'node-affinity');
  for (const p of rules.filter((r) => r.type === 'resource-affinity' && r.affinity === 'positive')) {
    const na = nodeAffinity.find((r) => intersects(p.resources, r.resources));
    if (na) for (const sid of p.resources) na.resources.add(sid);
  }
}

function labelOf(r: WorkRule): string {
  return r.group !== undefined ? `HA group '${r.group}'` : `HA rule '${r.id}'`;
}

function compile(rules: WorkRule[], managed: Map<string, HaResource>, notes: string[]) {
  const nodeAffinity = new Map<string, NodeAffinity>();
  const together = new Map<string, Set<string>>();
  const apart = new Map<string, Set<string>>();
  for (const r of rules) {
    if (r.type === 'node-affinity') {
      const na: NodeAffinity = { ruleId: r.id, label: labelOf(r), strict: !!r.strict, nodes: r.nodes! };
      if (r.avoids) na.avoids = r.avoids;
      for (const sid of r.resources) nodeAffinity.set(sid, na);
      continue;
    }
    const map = r.affinity === 'positive' ? together : apart;
    for (const sid of r.resources)
      for (const csid of r.resources) if (csid !== sid) map.set(sid, (map.get(sid) ?? new Set()).add(csid));
  }
  // A rule may only name configured HA resources (API2/HA/Rules.pm assert_valid_resources_param);
  // one left naming another (removed later, or ignored) places nothing for it
  const named = new Set(rules.flatMap((r) => [...r.resources]));
  for (const sid of [...named].sort())
    if (!managed.has(sid) && /^vm:/.test(sid))
      notes.push(`HA rules name ${sid}, which is not a managed HA resource: no HA placement applies to it`);
  return { nodeAffinity, together, apart };
}

export function compileHa(ha: HaConfig, clusterNodes: string[]): CompiledHa {
  const notes = [...ha.notes];
  const ruleNotes = new Map<string, string[]>();
  const noteFor = (sid: string, note: string) => ruleNotes.set(sid, [...(ruleNotes.get(sid) ?? []), note]);
  const managed = new Map(ha.resources.filter((r) => r.state !== 'ignored').map((r) => [r.sid, r]));
  for (const r of ha.resources.filter((r) => r.state === 'ignored')) {
    notes.push(`HA resource ${r.sid} is ignored by the HA stack: no HA placement applies`);
    // Config.pm service_check_ha_state: an ignored resource is not managed, so no rule places it
    noteFor(r.sid, `its HA resource is in state 'ignored': HA neither places nor moves it, so no HA rule applies`);
  }
  const fromGroups = groupRules(ha, notes);
  for (const r of ha.resources)
    if (r.group && !ha.groups.some((g) => g.id === r.group))
      noteFor(r.sid, `it names HA group '${r.group}', which does not exist: no group places it`);
  // A generated rule replaces a rules.cfg rule of the same id, as the hash assignment does
  const all = [...ha.rules.map(toWorkRule).filter((r) => !fromGroups.some((g) => g.id === r.id)), ...fromGroups];
  for (const r of all.filter((r) => r.disabled)) {
    notes.push(`${labelOf(r)} is disabled: Proxmox ignores it`);
    // Rules.pm foreach_rule(exclude_disabled_rules): `disable` present at all leaves the rule out
    for (const sid of r.resources) noteFor(sid, `${labelOf(r)} names it but is disabled: Proxmox ignores the rule`);
  }
  const enabled = all.filter((r) => !r.disabled);
  const errors = feasibilityErrors(enabled, clusterNodes);
  notes.push(...dropMessages(errors).map((m) => `HA: ${m} (pve-ha-manager drops it the same way)`));
  // Rules.pm transform drops each rule that fails a check, with every message (./checks.ts)
  for (const r of enabled) {
    const byOpt = errors.get(r.id);
    if (!byOpt) continue;
    const why = [...byOpt.keys()].sort().flatMap((opt) => byOpt.get(opt)!);
    for (const sid of r.resources)
      noteFor(sid, `${labelOf(r)} names it but Proxmox drops the rule, because ${why.join('; ')}`);
  }
  // NodeAffinity.pm get_node_affinity skips a listed node that is not online: a node the cluster
  // does not have never counts (the rule stands for the others)
  for (const r of enabled.filter((r) => r.type === 'node-affinity' && !errors.has(r.id))) {
    const unknown = [...r.nodes!.keys()].filter((n) => !clusterNodes.includes(n)).sort();
    if (!unknown.length) continue;
    const rest = [...r.nodes!.keys()].filter((n) => clusterNodes.includes(n));
    for (const sid of r.resources)
      noteFor(
        sid,
        `${labelOf(r)} names node(s) not in the cluster: ${unknown.join(', ')} (ignored${rest.length ? '' : '; it names no cluster node, so it places nothing here'})`,
      );
  }
  let rules = enabled.filter((r) => !errors.has(r.id));
  invertNegativeNodeAffinity(rules, clusterNodes);
  rules = mergeConnectedPositive(rules);
  rules = implicitNegatives(rules);
  bundlesInheritNodeAffinity(rules);
  return { ...compile(rules, managed, notes), managed, ruleNotes, notes };
}
