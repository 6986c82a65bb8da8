/**
 * The HA config files as migratable edits them: every section of ha/rules.cfg, ha/groups.cfg and
 * ha/resources.cfg with its raw text (what is not changed is kept byte for byte), and each changed or
 * new section written the way Proxmox writes it. Pure. What the sections mean is read once, by
 * ../config/ha.ts readHaFiles (the view plan and targets use); this side only keeps and writes text.
 *
 * The format, from pve-ha-manager 5.2.0 (b71218f) and pve-common 9.2.1 (f665029):
 * - SectionConfig.pm write_config: header `TYPE: ID`, then `comment` (if set), `disable` (if set),
 *   the plugin's required options sorted by key, then its optional ones sorted by key, one
 *   `\tKEY VALUE` line each (booleans 0/1), and an empty line after each section.
 * - Rules.pm: options of node-affinity (Rules/NodeAffinity.pm `options`): resources and nodes
 *   required, strict, disable, comment optional; `resources` written sorted and comma-joined
 *   (encode_value); `comment` through PVE::Tools::encode_text (ParseUtils.pm: every control and
 *   non-ASCII byte, ':' and '%' as %XX); `nodes` sorted, `node:PRIO` when the priority is not 0
 *   (NodeAffinity.pm encode_plugin_value); rule ids are pve-configid (parse_section_header).
 * - Groups.pm: options nodes (required), comment, nofailback, restricted; nodes as written
 *   (`node[:prio]` entries, comma-joined).
 * - Resources.pm: `vm: ID` sections with group, state, failback, ... (only `group` is changed here).
 */
import { InputError } from '../../errors.js';
import {
  formatSection,
  type Chunk,
  serializeSectionConfig,
  type SectionChunk,
  type SectionConfigDocument,
} from '../../formats/pve-section-config.js';
import type { HaNodePriority } from '../config/ha.js';

export type NodePriority = HaNodePriority;

/** One section of an HA file, typed enough to reason about, with its raw chunk. */
export interface HaSection {
  type: string;
  id: string;
  /** Properties as written (values raw, e.g. comment still encoded) */
  props: Map<string, string | undefined>;
  chunk: SectionChunk;
}

export interface HaFile {
  name: 'rules.cfg' | 'groups.cfg' | 'resources.cfg';
  doc: SectionConfigDocument;
  sections: HaSection[];
}

const CONFIGID_RE = /^[a-z][a-z0-9_-]+$/i; // pve-common JSONSchema.pm $CONFIGID_RE, anchored by pve_verify_configid

/** A file as parsed by ../config/ha.ts readHaFiles, its sections with their raw values and text. */
export function haFileOf(name: HaFile['name'], doc: SectionConfigDocument): HaFile {
  const sections: HaSection[] = doc.chunks
    .filter((c): c is SectionChunk => c.kind === 'section')
    .map((c) => ({
      type: c.type.toLowerCase(),
      id: c.id,
      props: new Map(c.props.map((p) => [p.key, p.value])),
      chunk: c,
    }));
  return { name, doc, sections };
}

/** The section with this type and id (ids are unique in a file: the section parser refuses repeats). */
export function sectionOf(f: HaFile, type: string, id: string): HaSection {
  const s = f.sections.find((x) => x.type === type && x.id === id);
  if (!s) throw new Error(`${f.name}: no section ${type}: ${id} (the typed view and the file disagree)`);
  return s;
}

export function encodeNodeList(nodes: NodePriority[]): string {
  return [...nodes]
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .map((n) => (n.priority ? `${n.node}:${n.priority}` : n.node))
    .join(',');
}

/** PVE::ParseUtils::encode_text: URI-escapes controls, non-ASCII bytes, ':' and '%' (uri_escape: upper-case hex). */
export function encodeText(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const safe = byte >= 0x20 && byte <= 0x7e && byte !== 0x25 && byte !== 0x3a;
    out += safe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeText(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function checkConfigId(id: string, what: string): void {
  if (!CONFIGID_RE.test(id)) throw new InputError(what, `${JSON.stringify(id)} is not a valid id (pve-configid)`);
}

export interface NodeAffinityRule {
  id: string;
  resources: string[];
  nodes: NodePriority[];
  strict: boolean;
  /** Plain text; encoded on write */
  comment?: string;
  disable?: boolean;
}

/** A node-affinity section exactly as Rules.pm's writer lays it out (without the blank line after it). */
export function renderNodeAffinityRule(r: NodeAffinityRule, extra: Map<string, string> = new Map()): string {
  checkConfigId(r.id, 'HA rule id');
  const props: Array<[string, string]> = [];
  if (r.comment) props.push(['comment', encodeText(r.comment)]);
  if (r.disable) props.push(['disable', '1']);
  props.push(['nodes', encodeNodeList(r.nodes)], ['resources', [...new Set(r.resources)].sort().join(',')]);
  // Optional keys PVE knows beyond ours (affinity on newer releases), sorted with strict
  const optional: Array<[string, string]> = [...extra, ['strict', r.strict ? '1' : '0']];
  optional.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return formatSection({ type: 'node-affinity', id: r.id, props: [...props, ...optional] });
}

export interface HaGroup {
  id: string;
  nodes: NodePriority[];
  restricted: boolean;
  nofailback?: boolean;
  comment?: string;
}

/** A group section as Groups.pm's writer lays it out. */
export function renderGroup(g: HaGroup): string {
  checkConfigId(g.id, 'HA group id');
  const props: Array<[string, string]> = [];
  if (g.comment) props.push(['comment', g.comment.replace(/[\r\n]+/g, ' ')]);
  props.push(['nodes', encodeNodeList(g.nodes)]);
  if (g.nofailback !== undefined) props.push(['nofailback', g.nofailback ? '1' : '0']);
  props.push(['restricted', g.restricted ? '1' : '0']);
  return formatSection({ type: 'group', id: g.id, props });
}

/** A resource section with its `group` set to `group`, or removed for null (other lines kept as written). */
export function withGroup(s: HaSection, group: string | null): string {
  const lines = s.chunk.raw.split('\n');
  const i = lines.findIndex((l) => /^\s+group(\s|$)/.test(l));
  if (group === null) {
    if (i >= 0) lines.splice(i, 1);
  } else if (i >= 0) lines[i] = `\tgroup ${group}`;
  else lines.splice(1, 0, `\tgroup ${group}`);
  return lines.join('\n');
}

/** The file with some sections replaced (by id; null deletes) and new ones appended. */
export function rewriteHaFile(f: HaFile, replaced: Map<string, string | null>, added: string[]): string {
  const chunks = f.doc.chunks;
  const out: Chunk[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    if (c.kind !== 'section' || !replaced.has(c.id)) {
      out.push(c);
      continue;
    }
    const body = replaced.get(c.id) ?? null;
    if (body === null) {
      if (chunks[i + 1]?.kind === 'blank') i++; // the blank line that ended it goes too
      continue;
    }
    out.push({ ...c, raw: body.endsWith('\n') ? body : `${body}\n` });
  }
  let text = serializeSectionConfig({ chunks: out });
  if (!added.length) return text;
  if (text !== '' && !text.endsWith('\n')) text += '\n';
  if (text !== '' && !text.endsWith('\n\n')) text += '\n';
  return text + added.map((s) => `${s.endsWith('\n') ? s : `${s}\n`}\n`).join('');
}
