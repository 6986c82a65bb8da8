/**
 * pve-ha-manager's HA rules replayed from its sources, written from them (not from this project's
 * own HA code, which the tests check against it): 5.2.0 = git b71218f, files under src/PVE/HA/.
 *
 * - parse: pve-common 9.2.1 (f665029) src/PVE/SectionConfig.pm parse_config (comment lines skipped,
 *   a bad header, unknown type, missing required option or unparsable value is warned about and the
 *   section or value dropped) with Rules.pm parse_section_header (lc type, pve_verify_configid id),
 *   decode_value (resources: split_list + pve_verify_ha_resource_id; comment: decode_text) and
 *   Rules/NodeAffinity.pm decode_plugin_value (nodes: Tools.pm parse_node_priority, noerr);
 *   Groups.pm and Resources.pm the same way for groups.cfg and resources.cfg.
 * - Groups.pm migrate_groups_to_rules: each group with resources becomes `ha-group-ID`.
 * - Rules.pm check_feasibility: every registered check, node-affinity (NodeAffinity.pm
 *   check_single_resource_reference), resource-affinity (ResourceAffinity.pm
 *   check_resource_affinity_resources_count, check_negative_resource_affinity_resources_count,
 *   check_inter_resource_affinity_rules_consistency) and the global ones in Rules.pm
 *   (check_single_priority_node_affinity_in_resource_affinity_rules,
 *   check_single_node_affinity_per_positive_resource_affinity_rule,
 *   check_negative_resource_affinity_node_affinity_consistency), with Rules/Helpers.pm
 *   find_disjoint_rules_resource_sets; foreach_rule skips a rule whose `disable` key exists.
 * - Rules.pm transform (drop infeasible rules, then create_implicit_positive_resource_affinity_
 *   node_affinity_rules), NodeAffinity.pm plugin_compile and get_node_affinity: where the HA
 *   manager may place a resource given the online nodes.
 */
type Set_ = Record<string, 1>;

export interface Rule {
  type: string;
  resources: Set_;
  nodes?: Record<string, { priority: number }>;
  strict?: boolean;
  affinity?: string;
  comment?: string;
  disable?: boolean;
}

export interface Rules {
  ids: Record<string, Rule>;
  order: Record<string, number>;
}

const CONFIGID = /^[a-z][a-z0-9_-]+$/i;
const HA_NODE = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(:\d+)?$/;
const NODE_PRIORITY = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(:(\d+))?$/;
const RESOURCE_ID = /^[a-z]+:\S+$/;
const splitList = (v: string) => v.split(/[\s,;]+/).filter(Boolean);
const parseBoolean = (v: string | undefined): boolean | undefined =>
  v === undefined || /^(1|on|yes|true)$/i.test(v) ? true : /^(0|off|no|false)$/i.test(v) ? false : undefined;

interface RawSection {
  type: string;
  id: string;
  props: Record<string, string | undefined>;
}

/** SectionConfig.pm parse_config's loop: sections with raw values; warnings for what it would skip. */
function sections(
  raw: string,
  known: Record<string, { required: string[]; optional: string[] }>,
  warnings: string[],
  idOk: (id: string) => boolean = (id) => CONFIGID.test(id),
) {
  const out: RawSection[] = [];
  const lines = raw.split('\n').filter((l) => !/^\s*#/.test(l));
  let i = 0;
  while (i < lines.length) {
    const line = lines[i++];
    if (!line) continue;
    const h = /^(\S+):\s*(\S+)\s*$/.exec(line);
    if (!h) {
      warnings.push(`ignore config line: ${line}`);
      continue;
    }
    const type = h[1].toLowerCase();
    const id = h[2];
    const skip = !idOk(id) || !known[type];
    if (skip) warnings.push(`skip section '${id}': ${!idOk(id) ? 'invalid id' : `unsupported type '${type}'`}`);
    const props: Record<string, string | undefined> = {};
    while (i < lines.length && lines[i]) {
      const l = lines[i++];
      if (skip) continue;
      const m = /^\s+(\S+)(\s+(.*\S))?\s*$/.exec(l);
      if (!m) warnings.push(`section '${id}' - ignore config line: ${l}`);
      else if (m[1] in props)
        warnings.push(`section '${id}' - unable to parse value of '${m[1]}': duplicate attribute`);
      else props[m[1]] = m[3];
    }
    if (skip) continue;
    const spec = known[type];
    const missing = spec.required.filter((k) => props[k] === undefined);
    const unknown = Object.keys(props).filter((k) => !spec.required.includes(k) && !spec.optional.includes(k));
    if (missing.length || unknown.length) {
      warnings.push(
        `skip section '${id}': ${missing.length ? `missing ${missing.join(',')}` : `unexpected ${unknown.join(',')}`}`,
      );
      continue;
    }
    out.push({ type, id, props });
  }
  return out;
}

const RULE_TYPES = {
  'node-affinity': { required: ['resources', 'nodes'], optional: ['strict', 'disable', 'comment'] },
  'resource-affinity': { required: ['resources', 'affinity'], optional: ['disable', 'comment'] },
};

export function parseRules(raw: string, warnings: string[] = []): Rules {
  const rules: Rules = { ids: {}, order: {} };
  let pri = 1;
  for (const s of sections(raw, RULE_TYPES, warnings)) {
    const resources: Set_ = {};
    for (const sid of splitList(s.props.resources ?? '')) if (RESOURCE_ID.test(sid)) resources[sid] = 1;
    const rule: Rule = { type: s.type, resources };
    if (s.props.comment !== undefined) {
      if (s.props.comment.length > 4096) warnings.push(`section '${s.id}' - comment too long`);
      rule.comment = decodeURIComponent(s.props.comment);
    }
    if ('disable' in s.props) rule.disable = parseBoolean(s.props.disable);
    if (s.type === 'node-affinity') {
      const entries = splitList(s.props.nodes ?? '');
      if (!entries.every((e) => HA_NODE.test(e))) warnings.push(`section '${s.id}' - unable to parse value of 'nodes'`);
      rule.nodes = {};
      for (const e of entries) {
        const m = NODE_PRIORITY.exec(e);
        if (m) rule.nodes[m[1]] = { priority: Number(m[4] ?? 0) };
      }
      if (s.props.strict !== undefined) {
        const b = parseBoolean(s.props.strict);
        if (b === undefined) warnings.push(`section '${s.id}' - unable to parse value of 'strict'`);
        rule.strict = b;
      }
    } else {
      if (!['positive', 'negative'].includes(s.props.affinity ?? ''))
        warnings.push(`section '${s.id}' - unable to parse value of 'affinity'`);
      rule.affinity = s.props.affinity;
    }
    rules.ids[s.id] = rule;
    rules.order[s.id] = pri++;
  }
  return rules;
}

export interface Group {
  nodes: Record<string, 1>;
  restricted?: boolean;
}

export function parseGroups(raw: string, warnings: string[] = []): Record<string, Group> {
  const out: Record<string, Group> = {};
  for (const s of sections(
    raw,
    { group: { required: ['nodes'], optional: ['comment', 'nofailback', 'restricted'] } },
    warnings,
  )) {
    const nodes: Record<string, 1> = {};
    for (const e of splitList(s.props.nodes ?? '')) if (HA_NODE.test(e)) nodes[e] = 1;
    out[s.id] = { nodes, restricted: parseBoolean(s.props.restricted) };
  }
  return out;
}

export function parseResources(
  raw: string,
  warnings: string[] = [],
): Record<string, { group?: string; state?: string }> {
  const opts = { required: [], optional: ['comment', 'group', 'state', 'failback', 'max_restart', 'max_relocate'] };
  const out: Record<string, { group?: string; state?: string }> = {};
  // Resources.pm parse_section_header: the plugin's verify_name (Resources/PVEVM.pm, PVECT.pm: a VMID)
  for (const s of sections(raw, { vm: opts, ct: opts }, warnings, (id) => /^[1-9][0-9]+$/.test(id)))
    out[`${s.type}:${s.id}`] = { group: s.props.group, state: s.props.state };
  return out;
}

/** Groups.pm migrate_groups_to_rules */
export function migrateGroupsToRules(
  rules: Rules,
  groups: Record<string, Group>,
  resources: Record<string, { group?: string }>,
) {
  const groupResources: Record<string, Set_> = {};
  for (const [sid, r] of Object.entries(resources)) if (r.group) (groupResources[r.group] ??= {})[sid] = 1;
  for (const [group, res] of Object.entries(groupResources)) {
    if (!groups[group]) continue;
    const nodes: Record<string, { priority: number }> = {};
    for (const entry of Object.keys(groups[group].nodes)) {
      const m = NODE_PRIORITY.exec(entry)!;
      nodes[m[1]] = { priority: Number(m[4] ?? 0) };
    }
    rules.ids[`ha-group-${group}`] = { type: 'node-affinity', resources: res, nodes, strict: groups[group].restricted };
    rules.order[`ha-group-${group}`] = Math.max(0, ...Object.values(rules.order)) + 1;
  }
}

const keys = (s: object) => Object.keys(s);
const disjoint = (a: Set_, b: Set_) => !keys(a).some((k) => b[k]);
const intersect = (a: Set_, b: Set_): Set_ =>
  Object.fromEntries(
    keys(a)
      .filter((k) => b[k])
      .map((k) => [k, 1]),
  );
const union = (a: object, b: object): Set_ => Object.fromEntries([...keys(a), ...keys(b)].map((k) => [k, 1]));

function byType(rules: Rules, type: string, affinity?: string): Record<string, Rule> {
  return Object.fromEntries(
    Object.entries(rules.ids).filter(
      ([, r]) => r.type === type && !('disable' in r) && (affinity === undefined || r.affinity === affinity),
    ),
  );
}

/** Rules/Helpers.pm find_disjoint_rules_resource_sets (a single pass, as written there). */
function disjointSets(rules: Record<string, Rule>) {
  const lowest = (id: string) => keys(rules[id].resources).sort()[0] ?? '';
  const sorted = keys(rules)
    .sort()
    .sort((a, b) => (lowest(a) < lowest(b) ? -1 : lowest(a) > lowest(b) ? 1 : 0));
  const out: Array<{ ruleids: string[]; resources: Set_ }> = [];
  for (const id of sorted) {
    const entry = out.find((e) => !disjoint(rules[id].resources, e.resources));
    if (entry) {
      entry.ruleids.push(id);
      entry.resources = union(entry.resources, rules[id].resources);
    } else out.push({ ruleids: [id], resources: { ...rules[id].resources } });
  }
  return out;
}

/** Rules.pm check_feasibility: rule id -> messages; {} when every rule is feasible. */
export function checkFeasibility(rules: Rules, nodes: string[]): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const err = (id: string, m: string) => (errors[id] ??= []).push(m);
  const nodeAffinity = byType(rules, 'node-affinity');
  const resourceAffinity = byType(rules, 'resource-affinity');
  const positive = byType(rules, 'resource-affinity', 'positive');
  const negative = byType(rules, 'resource-affinity', 'negative');
  // NodeAffinity.pm check_single_resource_reference
  const ruleIdsOf: Record<string, string[]> = {};
  for (const [id, r] of Object.entries(nodeAffinity))
    for (const sid of keys(r.resources)) (ruleIdsOf[sid] ??= []).push(id);
  for (const [sid, ids] of Object.entries(ruleIdsOf))
    if (ids.length > 1)
      for (const id of ids) err(id, `resource '${sid}' is already used in another node affinity rule`);
  // ResourceAffinity.pm
  for (const [id, r] of Object.entries(resourceAffinity))
    if (keys(r.resources).length < 2) err(id, 'rule is ineffective as there are less than two resources');
  for (const [id, r] of Object.entries(negative))
    if (keys(r.resources).length > nodes.length) err(id, 'rule defines more resources than available nodes');
  for (const entry of disjointSets(positive))
    for (const [nid, n] of Object.entries(negative))
      if (keys(intersect(entry.resources, n.resources)).length >= 2) {
        err(nid, 'rule shares two or more resources with a positive resource affinity rule');
        for (const p of entry.ruleids)
          err(p, 'rule shares two or more resources with a negative resource affinity rule');
      }
  // Rules.pm global checks
  const multiPriority = (r: Rule) => new Set(Object.values(r.nodes ?? {}).map((n) => n.priority)).size > 1;
  for (const [rid, r] of Object.entries(resourceAffinity)) {
    const paired = Object.entries(nodeAffinity).filter(([, n]) => !disjoint(r.resources, n.resources));
    if (paired.some(([, n]) => multiPriority(n))) {
      err(rid, 'resources are in node affinity rules with multiple priorities');
      for (const [nid] of paired)
        err(
          nid,
          'resources are in a resource affinity rule and cannot be in a node affinity rule with multiple priorities',
        );
    }
  }
  for (const entry of disjointSets(positive)) {
    const paired = Object.entries(nodeAffinity).filter(([, n]) => !disjoint(entry.resources, n.resources));
    if (paired.length > 1) {
      for (const p of entry.ruleids) err(p, 'resources are in multiple node affinity rules');
      for (const [nid] of paired)
        err(
          nid,
          'at least one resource is in a positive resource affinity rule and there are other resources in at least one other node affinity rule already',
        );
    }
  }
  for (const [negid, neg] of Object.entries(negative)) {
    let allowed: Set_ = {};
    let located: Set_ = {};
    const paired: string[] = [];
    for (const [nid, n] of Object.entries(nodeAffinity)) {
      const common = intersect(neg.resources, n.resources);
      if (keys(common).length < 1) continue;
      located = union(located, common);
      allowed = union(allowed, n.nodes ?? {});
      paired.push(nid);
    }
    if (keys(allowed).length < keys(located).length) {
      err(negid, 'two or more resources are restricted to less nodes than available to the resources');
      for (const nid of paired)
        err(
          nid,
          'at least one resource is in a negative resource affinity rule and this rule would restrict these to less nodes than available to the resources',
        );
    }
  }
  return errors;
}

export interface NodeAffinity {
  [sid: string]: { nodes: Record<string, { priority: number }> };
}

/** Rules.pm transform (drop infeasible rules; the implicit positive node-affinity transform) + NodeAffinity.pm plugin_compile. */
export function compileNodeAffinity(rules: Rules, nodes: string[]): NodeAffinity {
  const r: Rules = JSON.parse(JSON.stringify(rules));
  for (const id of keys(checkFeasibility(r, nodes))) {
    delete r.ids[id];
    delete r.order[id];
  }
  const nodeAffinity = byType(r, 'node-affinity');
  for (const p of Object.values(byType(r, 'resource-affinity', 'positive'))) {
    const found = Object.values(nodeAffinity).find((n) => !disjoint(p.resources, n.resources));
    if (found) for (const sid of keys(p.resources)) found.resources[sid] = 1;
  }
  const out: NodeAffinity = {};
  for (const rule of Object.values(nodeAffinity)) {
    const effective = { ...rule.nodes };
    if (!rule.strict) for (const n of nodes) if (!effective[n]) effective[n] = { priority: -1 };
    for (const sid of keys(rule.resources)) out[sid] = { nodes: effective };
  }
  return out;
}

/** NodeAffinity.pm get_node_affinity: the allowed and preferred nodes among the online ones. */
export function getNodeAffinity(
  na: NodeAffinity,
  sid: string,
  online: string[],
): { allowed: string[]; preferred: string[] } {
  if (!na[sid]) return { allowed: [...online], preferred: [...online] };
  const allowed: string[] = [];
  const byPriority = new Map<number, string[]>();
  for (const [node, props] of Object.entries(na[sid].nodes)) {
    if (!online.includes(node)) continue;
    allowed.push(node);
    byPriority.set(props.priority ?? 0, [...(byPriority.get(props.priority ?? 0) ?? []), node]);
  }
  const top = Math.max(...byPriority.keys());
  return { allowed: allowed.sort(), preferred: (byPriority.get(top) ?? []).sort() };
}
