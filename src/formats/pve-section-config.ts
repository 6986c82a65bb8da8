/**
 * Proxmox VE SectionConfig files (cpu-models.conf, storage.cfg, ...), parsed the way
 * pve-common's PVE::SectionConfig::parse_config reads them, but strictly: where PVE only
 * warns and silently drops a line, we refuse, because we only edit files we fully understand.
 *
 * The parse keeps the raw text of every chunk so untouched parts can be re-emitted byte-for-byte.
 */
import { InputError } from '../errors.js';

/** PVE's header and property regexes, verbatim from SectionConfig.pm. */
const HEADER_RE = /^(\S+):\s*(\S+)\s*$/;
const PROPERTY_RE = /^\s+(\S+)(\s+(.*\S))?\s*$/;
const COMMENT_RE = /^\s*#/;

export interface SectionProperty {
  key: string;
  /** undefined for a bare key (PVE reads that as boolean true) */
  value: string | undefined;
  /** 1-based line number in the source */
  line: number;
}

export interface SectionChunk {
  kind: 'section';
  type: string;
  id: string;
  props: SectionProperty[];
  /** 1-based line of the header */
  line: number;
  /** header, property lines and comment lines inside the section; not the blank line ending it */
  raw: string;
}

/** A run of comment lines, or of empty lines, outside any section. */
export interface TextChunk {
  kind: 'comment' | 'blank';
  line: number;
  raw: string;
}

export type Chunk = SectionChunk | TextChunk;

export interface SectionConfigDocument {
  chunks: Chunk[];
}

/** What a writer needs for one section. */
export interface SectionData {
  type: string;
  id: string;
  /** Emitted in the order given; use sortedProps() to mirror PVE's sort-by-key order. */
  props: Array<[key: string, value: string]>;
}

/** Split into lines, each keeping its own "\n" (the last may have none). */
function splitLinesKeepEol(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) out.push(text.slice(start));
      return out;
    }
    out.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
}

const stripEol = (l: string): string => (l.endsWith('\n') ? l.slice(0, -1) : l);

/**
 * Parse a SectionConfig file. Throws InputError(where, "line N: ...") on anything PVE would
 * warn about or that would make sections run together.
 */
export function parseSectionConfig(text: string, where: string): SectionConfigDocument {
  const lines = splitLinesKeepEol(text);
  const chunks: Chunk[] = [];
  const seenIds = new Map<string, number>();
  const fail = (lineNo: number, msg: string): never => {
    throw new InputError(where, `line ${lineNo}: ${msg}`);
  };

  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    const line = stripEol(lines[i]);

    if (line === '' || COMMENT_RE.test(line)) {
      const kind = line === '' ? 'blank' : 'comment';
      const test = (l: string) => (kind === 'blank' ? l === '' : COMMENT_RE.test(l));
      let raw = '';
      while (i < lines.length && test(stripEol(lines[i]))) raw += lines[i++];
      chunks.push({ kind, line: lineNo, raw });
      continue;
    }

    if (/^\s+$/.test(line)) {
      // PVE does not treat this as a separator: the next header would be swallowed.
      fail(lineNo, 'line contains only whitespace; use an empty line to separate sections');
    }
    const header = HEADER_RE.exec(line);
    if (!header) {
      if (PROPERTY_RE.test(line))
        fail(lineNo, 'property line outside a section (is a header or an empty line misplaced?)');
      fail(lineNo, `expected a section header "type: id", got ${JSON.stringify(line)}`);
    }
    const [, type, id] = header!;
    const prev = seenIds.get(id);
    if (prev !== undefined) fail(lineNo, `duplicate section id '${id}' (first defined on line ${prev})`);
    seenIds.set(id, lineNo);

    let raw = lines[i++];
    const props: SectionProperty[] = [];
    const keys = new Map<string, number>();
    // Like PVE, a section runs until the first empty line; comment lines inside it are skipped.
    while (i < lines.length) {
      const l = stripEol(lines[i]);
      if (l === '') break;
      const n = i + 1;
      if (!COMMENT_RE.test(l)) {
        const m = PROPERTY_RE.exec(l);
        if (!m) {
          if (/^\s+$/.test(l))
            fail(n, 'line contains only whitespace; PVE does not end a section there, use an empty line');
          if (HEADER_RE.test(l))
            fail(n, `section header without an empty line before it (section '${id}' is still open)`);
          fail(n, `section '${id}': cannot parse ${JSON.stringify(l)}; properties must be indented "key value"`);
        }
        const key = m![1];
        const first = keys.get(key);
        if (first !== undefined) fail(n, `section '${id}': duplicate attribute '${key}' (also on line ${first})`);
        keys.set(key, n);
        props.push({ key, value: m![3], line: n });
      }
      raw += lines[i++];
    }
    chunks.push({ kind: 'section', type, id, props, line: lineNo, raw });
  }
  return { chunks };
}

/** Re-emit a parsed document; equals the input text when nothing was changed. */
export function serializeSectionConfig(doc: SectionConfigDocument): string {
  return doc.chunks.map((c) => c.raw).join('');
}

export function findSection(doc: SectionConfigDocument, id: string): SectionChunk | undefined {
  return doc.chunks.find((c): c is SectionChunk => c.kind === 'section' && c.id === id);
}

/** Properties sorted by key, the order PVE's write_config uses for optional keys. */
export function sortedProps(props: Array<[string, string]>): Array<[string, string]> {
  return [...props].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function checkToken(what: string, s: string): void {
  if (s === '' || /\s/.test(s))
    throw new Error(`SectionConfig ${what} must be non-empty without whitespace: ${JSON.stringify(s)}`);
}

/** Header plus `\tkey value\n` lines, without the blank line that ends a section. */
export function formatSection(section: SectionData): string {
  checkToken('type', section.type);
  checkToken('id', section.id);
  let out = `${section.type}: ${section.id}\n`;
  for (const [k, v] of section.props) {
    checkToken('key', k);
    if (/[\r\n]/.test(v)) throw new Error(`SectionConfig value of '${k}' contains a line break`);
    // PVE skips empty values on write; a value must not begin or end with blanks or it won't read back.
    if (v === '') continue;
    if (v.trim() !== v) throw new Error(`SectionConfig value of '${k}' has leading or trailing whitespace`);
    out += `\t${k} ${v}\n`;
  }
  return out;
}

/** Write a whole file the way PVE does: each section followed by one blank line. */
export function writeSectionConfig(sections: SectionData[]): string {
  return sections.map((s) => formatSection(s) + '\n').join('');
}

/**
 * Add a section, or replace the one with the same id, returning the new file text.
 * Every other chunk (sections, comments, blank runs) is kept byte-for-byte. Comments that were
 * inside the replaced section are dropped with it; comments above its header are kept.
 */
export function upsertSection(
  doc: SectionConfigDocument,
  section: SectionData,
): { text: string; action: 'added' | 'replaced' } {
  const body = formatSection(section);
  const idx = doc.chunks.findIndex((c) => c.kind === 'section' && c.id === section.id);
  if (idx >= 0) {
    const old = doc.chunks[idx] as SectionChunk;
    if (old.type !== section.type) {
      throw new Error(`section id '${section.id}' is already used by a '${old.type}' section`);
    }
    const chunks = doc.chunks.map((c, j) => (j === idx ? { ...old, raw: body } : c));
    let text = serializeSectionConfig({ chunks });
    // The replaced section was last and had no trailing newline; keep PVE's blank-line ending.
    if (idx === doc.chunks.length - 1) text += '\n';
    return { text, action: 'replaced' };
  }
  let text = serializeSectionConfig(doc);
  if (text !== '' && !text.endsWith('\n')) text += '\n';
  // Sections must be separated by an empty line.
  if (text !== '' && !text.endsWith('\n\n')) text += '\n';
  return { text: text + body + '\n', action: 'added' };
}

/**
 * Remove the section with this id (and the blank lines that ended it), returning the new file text.
 * Every other chunk is kept byte for byte, comments above the header included.
 */
export function removeSection(doc: SectionConfigDocument, id: string): string {
  const idx = doc.chunks.findIndex((c) => c.kind === 'section' && c.id === id);
  if (idx < 0) return serializeSectionConfig(doc);
  const drop = doc.chunks[idx + 1]?.kind === 'blank' ? 2 : 1;
  return serializeSectionConfig({ chunks: doc.chunks.filter((_, j) => j < idx || j >= idx + drop) });
}
