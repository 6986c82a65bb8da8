/**
 * Proxmox VE HA placement config: where an HA-managed VM may run.
 *
 * Formats, from pve-ha-manager (git b71218f, 5.2.0 = PVE 9; groups unchanged since 4.x = PVE 8):
 * - `ha/groups.cfg` (src/PVE/HA/Groups.pm): `group: ID` with `nodes n1:2,n2` (priority optional,
 *   Tools.pm parse_node_priority), `restricted 0|1` (default 0: "may run on any cluster node if all
 *   group members are offline"), `nofailback`, `comment`.
 * - `ha/resources.cfg` (src/PVE/HA/Resources.pm): `vm: 100` / `ct: 200` with `group`, `state`
 *   (started|stopped|enabled|disabled|ignored; `ignored` = the HA stack no longer touches it).
 * - `ha/rules.cfg` (src/PVE/HA/Rules.pm, Rules/NodeAffinity.pm): `node-affinity: ID` with
 *   `resources vm:100,ct:200`, `nodes n1:2,n2`, `strict 0|1` (default 0: "if none of the defined
 *   nodes are available, the resource may run on any other node"), `disable` (foreach_rule skips a
 *   rule when the key exists at all). Other rule types (resource-affinity) do not restrict nodes.
 * - PVE 9 still reads groups.cfg and turns each group into a rule `ha-group-ID` with
 *   strict = restricted (Config.pm read_and_compile_rules_config, Groups.pm migrate_groups_to_rules).
 */
import { InputError } from '../../errors.js';
import { parseSectionConfig, type SectionChunk } from '../../formats/pve-section-config.js';

/** A node list entry `name[:priority]` (Tools.pm parse_node_priority). */
const NODE_ENTRY_RE = /^([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?::(\d+))?$/;

export interface HaNodePriority {
  node: string;
  priority: number;
}

/** One placement constraint, group or node-affinity rule, in the shape both reduce to. */
export interface HaPlacement {
  kind: 'group' | 'rule';
  id: string;
  nodes: HaNodePriority[];
  /** restricted group or strict rule: the resource never runs elsewhere */
  strict: boolean;
  /** HA resource ids it applies to, e.g. `vm:100` */
  resources: string[];
}

export interface HaResource {
  sid: string;
  group?: string;
  state: string;
}

export interface HaConfig {
  placements: HaPlacement[];
  resources: HaResource[];
  /** Things PVE would skip with a warning, kept for the report */
  notes: string[];
}

// PVE::JSONSchema::parse_boolean
function bool(v: string | undefined, where: string, line: number): boolean {
  if (v === undefined || /^(1|on|yes|true)$/i.test(v)) return true;
  if (/^(0|off|no|false)$/i.test(v)) return false;
  throw new InputError(where, `line ${line}: expected a boolean (0 or 1), got ${JSON.stringify(v)}`);
}

/** `n1:2,n2` (PVE::Tools::split_list also splits on spaces and semicolons). */
export function parseHaNodeList(value: string, where: string): HaNodePriority[] {
  return value
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((entry) => {
      const m = NODE_ENTRY_RE.exec(entry);
      if (!m)
        throw new InputError(where, `cannot parse HA node entry ${JSON.stringify(entry)} (expected node[:priority])`);
      return { node: m[1], priority: m[2] === undefined ? 0 : Number(m[2]) };
    });
}

/** `vm:100,ct:200`; a bare number is a VM, as the API accepts. */
export function parseHaResourceList(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? `vm:${s}` : s));
}

function prop(c: SectionChunk, key: string): { value: string | undefined; line: number } | undefined {
  const p = c.props.find((x) => x.key === key);
  return p && { value: p.value, line: p.line };
}

function sections(text: string, where: string): SectionChunk[] {
  return parseSectionConfig(text, where).chunks.filter((c): c is SectionChunk => c.kind === 'section');
}

export function parseHaGroups(text: string, where: string): HaPlacement[] {
  return sections(text, where).map((c) => {
    if (c.type !== 'group') throw new InputError(where, `line ${c.line}: expected 'group: ID', got '${c.type}'`);
    const nodes = prop(c, 'nodes');
    if (!nodes?.value) throw new InputError(where, `line ${c.line}: group '${c.id}' has no nodes`);
    const restricted = prop(c, 'restricted');
    return {
      kind: 'group' as const,
      id: c.id,
      nodes: parseHaNodeList(nodes.value, where),
      strict: restricted ? bool(restricted.value, where, restricted.line) : false,
      resources: [],
    };
  });
}

export function parseHaResources(text: string, where: string): HaResource[] {
  return sections(text, where).map((c) => ({
    sid: `${c.type}:${c.id}`,
    ...(prop(c, 'group')?.value ? { group: prop(c, 'group')!.value } : {}),
    state: prop(c, 'state')?.value ?? 'started',
  }));
}

/** Node-affinity rules that are in force; other rule types and disabled rules are left out. */
export function parseHaRules(text: string, where: string, notes: string[] = []): HaPlacement[] {
  const out: HaPlacement[] = [];
  for (const c of sections(text, where)) {
    if (c.type !== 'node-affinity') continue;
    if (prop(c, 'disable')) {
      notes.push(`HA rule '${c.id}' is disabled: it does not restrict its resources`);
      continue;
    }
    const nodes = prop(c, 'nodes');
    const resources = prop(c, 'resources');
    if (!nodes?.value || !resources?.value)
      throw new InputError(where, `line ${c.line}: node-affinity rule '${c.id}' needs nodes and resources`);
    const strict = prop(c, 'strict');
    out.push({
      kind: 'rule',
      id: c.id,
      nodes: parseHaNodeList(nodes.value, where),
      strict: strict ? bool(strict.value, where, strict.line) : false,
      resources: parseHaResourceList(resources.value),
    });
  }
  return out;
}

/**
 * Groups become placements of the resources that name them (as PVE 9 does); resources that are
 * `ignored` are outside HA and keep no placement.
 */
export function combineHaConfig(groups: HaPlacement[], resources: HaResource[], rules: HaPlacement[]): HaConfig {
  const notes: string[] = [];
  const managed = resources.filter((r) => r.state !== 'ignored');
  for (const r of resources.filter((r) => r.state === 'ignored'))
    notes.push(`HA resource ${r.sid} is ignored by the HA stack: no placement applies`);
  const placements: HaPlacement[] = [];
  for (const g of groups) {
    const members = managed.filter((r) => r.group === g.id).map((r) => r.sid);
    if (members.length) placements.push({ ...g, resources: members });
  }
  for (const r of managed)
    if (r.group && !groups.some((g) => g.id === r.group))
      notes.push(`HA resource ${r.sid} names group '${r.group}', which does not exist`);
  // A rule may only name configured HA resources (API2/HA/Rules.pm assert_valid_resources_param)
  const known = new Set(managed.map((r) => r.sid));
  for (const rule of rules) {
    const members = rule.resources.filter((sid) => known.has(sid));
    for (const sid of rule.resources.filter((s) => !known.has(s)))
      notes.push(`HA rule '${rule.id}' names ${sid}, which is not a managed HA resource: no placement applies`);
    if (members.length) placements.push({ ...rule, resources: members });
  }
  return { placements, resources, notes };
}
