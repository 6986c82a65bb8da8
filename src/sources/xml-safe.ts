/**
 * XML parsing for untrusted host data (libvirt output). DTDs are refused outright: entity
 * expansion (billion laughs) and external entities (file:///etc/passwd) must never happen, and
 * libvirt never writes a DOCTYPE, so one is a sign of something other than libvirt output.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errorInOneLine, InputError } from '../errors.js';

/** Element names that may repeat: always arrays, so a single child looks like many. */
const REPEATED = new Set([
  'feature',
  'model',
  'mode',
  'blockers',
  'enum',
  'value',
  'pages',
  'cell',
  'cpu',
  'guest',
  // libvirt's QEMU capabilities cache
  'hostCPU',
  'property',
  'blocker',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  maxNestedTags: 64,
  isArray: (name) => REPEATED.has(name),
});

export type XmlNode = Record<string, unknown>;

/** Parses `text` whose root element must be `root` (checked first: no parse of a document of another kind). */
export function parseXmlSafely(text: string, where: string, root: string, expected: string): XmlNode {
  if (/<!(DOCTYPE|ENTITY)/i.test(text))
    throw new InputError(where, `XML with a DOCTYPE or ENTITY declaration is refused; expected ${expected}`);
  const first = /<([A-Za-z_][\w.-]*)/.exec(
    text.replace(/^\s*(<\?[^>]{0,200}\?>\s*)?(<!--[\s\S]{0,2000}?-->\s*)*/, '').slice(0, 200),
  );
  if (first?.[1] !== root)
    throw new InputError(where, `root element is ${first ? `<${first[1]}>` : 'missing'}; expected ${expected}`);
  let valid: true | { err: { msg: string; line: number } };
  try {
    valid = XMLValidator.validate(text);
  } catch (e) {
    throw new InputError(where, `unreadable XML (${errorInOneLine(e)}); expected ${expected}`);
  }
  if (valid !== true)
    throw new InputError(
      where,
      `invalid XML at line ${valid.err.line}: ${errorInOneLine(valid.err.msg)}; expected ${expected}`,
    );
  try {
    return parser.parse(text) as XmlNode;
  } catch (e) {
    throw new InputError(where, `unreadable XML (${errorInOneLine(e)}); expected ${expected}`);
  }
}

/** The child element(s) as an object, whatever the parser made of them ("" for an empty element). */
export function child(node: unknown, name: string): XmlNode | undefined {
  if (!node || typeof node !== 'object') return undefined;
  let v = (node as XmlNode)[name];
  if (Array.isArray(v)) v = v[0];
  if (v === '' || v === undefined) return v === '' ? {} : undefined;
  return typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': String(v) };
}

export function children(node: unknown, name: string): XmlNode[] {
  if (!node || typeof node !== 'object') return [];
  const v = (node as XmlNode)[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => (x && typeof x === 'object' ? (x as XmlNode) : { '#text': x === '' ? '' : String(x) }));
}

export function text(node: XmlNode | undefined): string | null {
  if (!node) return null;
  const t = node['#text'];
  return typeof t === 'string' || typeof t === 'number' ? String(t).trim() : null;
}

export function attr(node: XmlNode | undefined, name: string): string | null {
  const v = node?.[`@${name}`];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}
