/**
 * Proxmox VE HA config as pve-ha-manager reads it: groups, resources and rules, each section checked
 * the way PVE::SectionConfig::parse_config does (pve-common 9.2.1 f665029, src/PVE/SectionConfig.pm):
 * a section of an unsupported type is skipped with a warning, a property whose value does not verify
 * is dropped with a warning, and a section then missing a required property is skipped. Each of
 * those warnings becomes a note here; nothing is skipped silently. Structurally broken files (a
 * property outside any section) are refused by the section parser.
 *
 * Formats, from pve-ha-manager (git b71218f, 5.2.0 = PVE 9; groups unchanged since 4.x = PVE 8):
 * - `ha/groups.cfg` (src/PVE/HA/Groups.pm): `group: ID` with `nodes n1:2,n2` (required; priority
 *   optional, Tools.pm parse_node_priority), `restricted`, `nofailback`, `comment`.
 * - `ha/resources.cfg` (src/PVE/HA/Resources.pm): `vm: 100` / `ct: 200` with `group`, `state`
 *   (started|stopped|enabled|disabled|ignored; `ignored` = the HA stack no longer touches it).
 * - `ha/rules.cfg` (src/PVE/HA/Rules.pm): `resources` (required, Tools.pm pve-ha-resource-id-list:
 *   `type:name`, a bare number is not one), `disable`, `comment` on every rule;
 *   `node-affinity: ID` (Rules/NodeAffinity.pm) adds `nodes` (required), `strict` (default 0) and,
 *   from the release after 5.2.0, `affinity positive|negative` (default positive: the pve-devel
 *   series "add negative node affinity rules" v2 by Daniel Kral, mail-archive.com
 *   pve-devel@lists.proxmox.com msg38360 and msg38364; 5.2.0 rejects the key, so a rules.cfg that has
 *   it was written by a release that reads it); `resource-affinity: ID` (Rules/ResourceAffinity.pm)
 *   adds `affinity positive|negative` (required).
 * Which rules are in force, and where they place each resource, is ../ha/compile.ts.
 */
import { parseSectionConfig, type SectionChunk, type SectionConfigDocument } from '../../formats/pve-section-config.js';

/** A node list entry `name[:priority]` (Tools.pm pve_verify_ha_node / parse_node_priority). */
const NODE_ENTRY_RE = /^([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?::(\d+))?$/;
/** Tools.pm pve_verify_ha_resource_id */
const RESOURCE_ID_RE = /^[a-z]+:\S+$/;
/** pve-common JSONSchema.pm $CONFIGID_RE: rule and group ids */
const CONFIG_ID_RE = /^[a-z][a-z0-9_-]+$/i;

export interface HaNodePriority {
  node: string;
  priority: number;
}

export interface HaGroup {
  id: string;
  nodes: HaNodePriority[];
  restricted: boolean;
}

export interface HaResource {
  sid: string;
  group?: string;
  state: string;
}

export interface HaNodeAffinityRule {
  type: 'node-affinity';
  id: string;
  resources: string[];
  nodes: HaNodePriority[];
  strict: boolean;
  affinity: 'positive' | 'negative';
  /** `disable` is set (to anything: Rules.pm foreach_rule tests `exists`) */
  disabled: boolean;
  /** Made from this HA group (Groups.pm migrate_groups_to_rules) */
  group?: string;
}

export interface HaResourceAffinityRule {
  type: 'resource-affinity';
  id: string;
  resources: string[];
  affinity: 'positive' | 'negative';
  disabled: boolean;
}

export type HaRule = HaNodeAffinityRule | HaResourceAffinityRule;

export interface HaConfig {
  groups: HaGroup[];
  resources: HaResource[];
  /** Rules in file order (ha/rules.cfg), as parsed; ../ha/compile.ts decides which are in force */
  rules: HaRule[];
  /** What PVE would warn about and skip, kept for the report */
  notes: string[];
}

/** The HA files by the names guardrails and apply-ha use for them. */
export type HaFileKey = 'groups' | 'resources' | 'rules';

/**
 * The HA files read once: the typed view (what plan, targets and the guardrails reason about) and
 * each file's sections as written, for a writer that must keep every other section, key order and
 * unknown key as they were (../ha/ha-files.ts). A missing file reads as an empty one.
 */
export interface HaFiles {
  config: HaConfig;
  docs: Record<HaFileKey, SectionConfigDocument>;
}

/** A value as the file (or the API) gives it; undefined for a bare key. */
export type RawProps = Map<string, { value: string | undefined; line?: number }>;

class BadValue extends Error {}

// PVE::JSONSchema::parse_boolean; a bare key is true (SectionConfig check_value)
function bool(v: string | undefined): boolean {
  if (v === undefined || /^(1|on|yes|true)$/i.test(v)) return true;
  if (/^(0|off|no|false)$/i.test(v)) return false;
  throw new BadValue(`expected a boolean (0 or 1), got ${JSON.stringify(v)}`);
}

/** A boolean as PVE reads it (parse_boolean); undefined when it is none, which PVE drops. */
export function haBoolean(v: string | undefined): boolean | undefined {
  try {
    return bool(v);
  } catch (e) {
    if (e instanceof BadValue) return undefined;
    throw e;
  }
}

/** PVE::Tools::split_list */
const splitList = (v: string) => v.split(/[\s,;]+/).filter(Boolean);

/** `n1:2,n2`: every entry must verify (pve-ha-node-list), or the whole property is dropped. */
export function parseHaNodeList(value: string): HaNodePriority[] {
  const byNode = new Map<string, number>();
  for (const entry of splitList(value)) {
    const m = NODE_ENTRY_RE.exec(entry);
    if (!m) throw new BadValue(`${JSON.stringify(entry)} is not a node[:priority] entry`);
    byNode.set(m[1], m[2] === undefined ? 0 : Number(m[2]));
  }
  if (!byNode.size) throw new BadValue('no nodes');
  return [...byNode].map(([node, priority]) => ({ node, priority }));
}

/** `vm:100,ct:200` (pve-ha-resource-id-list). */
export function parseHaResourceList(value: string): string[] {
  const out: string[] = [];
  for (const sid of splitList(value)) {
    if (!RESOURCE_ID_RE.test(sid)) throw new BadValue(`${JSON.stringify(sid)} is not an HA resource id (vm:ID)`);
    if (!out.includes(sid)) out.push(sid);
  }
  if (!out.length) throw new BadValue('no resources');
  return out;
}

function affinity(v: string | undefined): 'positive' | 'negative' {
  if (v === 'positive' || v === 'negative') return v;
  throw new BadValue(`expected positive or negative, got ${JSON.stringify(v)}`);
}

interface PropSpec {
  required?: boolean;
  parse: (v: string | undefined) => unknown;
}

const text = (v: string | undefined) => {
  if (v === undefined) throw new BadValue('got undefined value');
  return v;
};

/** Each type's options (Rules/NodeAffinity.pm, Rules/ResourceAffinity.pm, Groups.pm options()). */
const RULE_SPECS: Record<HaRule['type'], Record<string, PropSpec>> = {
  'node-affinity': {
    resources: { required: true, parse: (v) => parseHaResourceList(text(v)) },
    nodes: { required: true, parse: (v) => parseHaNodeList(text(v)) },
    affinity: { parse: affinity },
    strict: { parse: bool },
    disable: { parse: bool },
    comment: { parse: text },
  },
  'resource-affinity': {
    resources: { required: true, parse: (v) => parseHaResourceList(text(v)) },
    affinity: { required: true, parse: affinity },
    disable: { parse: bool },
    comment: { parse: text },
  },
};

const GROUP_SPEC: Record<string, PropSpec> = {
  nodes: { required: true, parse: (v) => parseHaNodeList(text(v)) },
  restricted: { parse: bool },
  nofailback: { parse: bool },
  comment: { parse: text },
};

const RESOURCE_STATES = ['started', 'stopped', 'enabled', 'disabled', 'ignored'];
const RESOURCE_SPEC: Record<string, PropSpec> = {
  // Resources.pm `group`: pve-ha-group-id, format pve-configid
  group: {
    parse: (v) => {
      if (CONFIG_ID_RE.test(text(v))) return v;
      throw new BadValue(`${JSON.stringify(v)} is not a valid group id (pve-configid)`);
    },
  },
  state: {
    parse: (v) => {
      if (v && RESOURCE_STATES.includes(v)) return v;
      throw new BadValue(`expected one of ${RESOURCE_STATES.join(', ')}, got ${JSON.stringify(v)}`);
    },
  },
  comment: { parse: text },
  failback: { parse: bool },
  max_restart: { parse: text },
  max_relocate: { parse: text },
};

/**
 * One section's properties checked against its type's options, as SectionConfig does: an unknown or
 * invalid property is dropped with a note; a missing required one skips the section (null).
 */
function checkProps(
  props: RawProps,
  spec: Record<string, PropSpec>,
  what: string,
  where: string,
  notes: string[],
  headerLine?: number,
): Map<string, unknown> | null {
  const out = new Map<string, unknown>();
  for (const [key, { value, line }] of props) {
    const at = `${where}${line ? ` line ${line}` : ''}: ${what}`;
    const s = spec[key];
    if (!s) {
      notes.push(`${at}: unexpected property '${key}', which Proxmox ignores`);
      continue;
    }
    try {
      out.set(key, s.parse(value));
    } catch (e) {
      if (!(e instanceof BadValue)) throw e;
      notes.push(`${at}: unable to parse value of '${key}' (${e.message}); Proxmox ignores it`);
    }
  }
  for (const [key, s] of Object.entries(spec))
    if (s.required && !out.has(key)) {
      notes.push(
        `${where}${headerLine ? ` line ${headerLine}` : ''}: ${what} is skipped, as Proxmox skips it: missing value for required option '${key}'`,
      );
      return null;
    }
  return out;
}

function sections(doc: SectionConfigDocument): SectionChunk[] {
  return doc.chunks.filter((c): c is SectionChunk => c.kind === 'section');
}

function rawProps(c: SectionChunk): RawProps {
  return new Map(c.props.map((p) => [p.key, { value: p.value, line: p.line }]));
}

/** A section header's id, as parse_section_header checks it (pve_verify_configid). */
function validId(id: string, what: string, where: string, notes: string[]): boolean {
  if (CONFIG_ID_RE.test(id)) return true;
  notes.push(`${where}: ${what} is skipped, as Proxmox skips it: invalid configuration ID '${id}'`);
  return false;
}

/** A rule from its type, id and raw properties (rules.cfg sections and API rows alike); null if skipped. */
export function readHaRule(
  type: string,
  id: string,
  props: RawProps,
  where: string,
  notes: string[],
  line?: number,
): HaRule | null {
  const spec = RULE_SPECS[type as HaRule['type']];
  const what = `rule '${id}'`;
  const header = line ? `${where} line ${line}` : where;
  if (!spec) {
    notes.push(
      `${header}: ${type} rule '${id}' is skipped: Proxmox (pve-ha-manager 5.2) has no rule type '${type}', so migratable cannot apply it`,
    );
    return null;
  }
  if (!validId(id, what, header, notes)) return null;
  const p = checkProps(props, spec, what, where, notes, line);
  if (!p) return null;
  const common = {
    id,
    resources: p.get('resources') as string[],
    disabled: p.has('disable'),
  };
  if (type === 'resource-affinity')
    return { type, ...common, affinity: p.get('affinity') as HaResourceAffinityRule['affinity'] };
  return {
    type: 'node-affinity',
    ...common,
    nodes: p.get('nodes') as HaNodePriority[],
    strict: (p.get('strict') as boolean | undefined) ?? false,
    affinity: (p.get('affinity') as HaNodeAffinityRule['affinity'] | undefined) ?? 'positive',
  };
}

export function readHaGroup(
  id: string,
  props: RawProps,
  where: string,
  notes: string[],
  line?: number,
): HaGroup | null {
  const what = `group '${id}'`;
  if (!validId(id, what, line ? `${where} line ${line}` : where, notes)) return null;
  const p = checkProps(props, GROUP_SPEC, what, where, notes, line);
  if (!p) return null;
  return { id, nodes: p.get('nodes') as HaNodePriority[], restricted: (p.get('restricted') as boolean) ?? false };
}

export function readHaResource(sid: string, props: RawProps, where: string, notes: string[]): HaResource {
  const p = checkProps(props, RESOURCE_SPEC, `resource ${sid}`, where, notes)!;
  const group = p.get('group') as string | undefined;
  return { sid, ...(group ? { group } : {}), state: (p.get('state') as string | undefined) ?? 'started' };
}

/**
 * Groups.pm and Resources.pm parse_section_header lower-case the type (lc($1)), as Rules.pm does;
 * a resource's name must be a VMID (Resources/PVEVM.pm and PVECT.pm verify_name).
 */
function haGroupsOf(doc: SectionConfigDocument, where: string, notes: string[]): HaGroup[] {
  const out: HaGroup[] = [];
  for (const c of sections(doc)) {
    if (c.type.toLowerCase() !== 'group') {
      notes.push(
        `${where} line ${c.line}: section '${c.id}' is skipped, as Proxmox skips it: unsupported type '${c.type}'`,
      );
      continue;
    }
    const g = readHaGroup(c.id, rawProps(c), where, notes, c.line);
    if (g) out.push(g);
  }
  return out;
}

const VMID_RE = /^[1-9][0-9]+$/;

/** Resources.pm registers vm and ct (PVEVM.pm, PVECT.pm). */
function haResourcesOf(doc: SectionConfigDocument, where: string, notes: string[]): HaResource[] {
  const out: HaResource[] = [];
  for (const c of sections(doc)) {
    const type = c.type.toLowerCase();
    if (type !== 'vm' && type !== 'ct') {
      notes.push(
        `${where} line ${c.line}: section '${c.id}' is skipped, as Proxmox skips it: unsupported type '${c.type}'`,
      );
      continue;
    }
    if (!VMID_RE.test(c.id)) {
      notes.push(`${where} line ${c.line}: section '${c.id}' is skipped, as Proxmox skips it: invalid VMID`);
      continue;
    }
    out.push(readHaResource(`${type}:${c.id}`, rawProps(c), where, notes));
  }
  return out;
}

function haRulesOf(doc: SectionConfigDocument, where: string, notes: string[]): HaRule[] {
  const out: HaRule[] = [];
  for (const c of sections(doc)) {
    const r = readHaRule(c.type.toLowerCase(), c.id, rawProps(c), where, notes, c.line);
    if (r) out.push(r);
  }
  return out;
}

export function parseHaGroups(text: string, where: string, notes: string[] = []): HaGroup[] {
  return haGroupsOf(parseSectionConfig(text, where), where, notes);
}

export function parseHaResources(text: string, where: string, notes: string[] = []): HaResource[] {
  return haResourcesOf(parseSectionConfig(text, where), where, notes);
}

export function parseHaRules(text: string, where: string, notes: string[] = []): HaRule[] {
  return haRulesOf(parseSectionConfig(text, where), where, notes);
}

/** The HA files (null: missing) read once, into the typed view and the sections as written. */
export function readHaFiles(
  texts: Record<HaFileKey, string | null>,
  where: (file: `${HaFileKey}.cfg`) => string,
): HaFiles {
  const notes: string[] = [];
  const doc = (k: HaFileKey) => parseSectionConfig(texts[k] ?? '', where(`${k}.cfg`));
  const docs = { groups: doc('groups'), resources: doc('resources'), rules: doc('rules') };
  return {
    config: {
      groups: haGroupsOf(docs.groups, where('groups.cfg'), notes),
      resources: haResourcesOf(docs.resources, where('resources.cfg'), notes),
      rules: haRulesOf(docs.rules, where('rules.cfg'), notes),
      notes,
    },
    docs,
  };
}
