import { InputError } from '../errors.js';
import { qmpVersionString } from '../version.js';
import { PROBE_FORMAT_VERSION } from './probe-script.js';
import type { DmiField } from '../catalog/types.js';
import { DMI_HINT, type KvmFacts, type VirtualHints } from './host-kind.js';

/** What the probe script (probe-script.ts) saw on one host, unparsed beyond the bundle layout. */
export interface RawProbe {
  formatVersion: number;
  hostname: string | null;
  cpuinfo: string;
  vulnerabilities: Record<string, string>;
  kernel: string | null;
  microcode: string | null;
  collectedAt: string | null;
  qmp: {
    version: string | null;
    hostExpansion: { name: string; props: Record<string, unknown> } | null;
    definitions: Array<Record<string, unknown>> | null;
  } | null;
  qmpError: string | null;
  /** /dev/kvm and the kvm modules; null in bundles from before the section existed */
  kvm: KvmFacts | null;
  /** lscpu's hypervisor vendor, DMI, /sys/hypervisor; null in bundles from before the section existed */
  virtualHints: VirtualHints | null;
}

const HEADER = /^#migratable-probe (\d+)[ \t]*\r?$/m;
const SECTION = '#section ';
const END = '#end';

/**
 * True when `text` is a probe bundle. The header may follow a few stray lines, because a
 * remote login shell's rc files sometimes print to stdout before the script runs.
 */
export function isProbeBundle(text: string): boolean {
  const head = text.slice(0, 8192);
  // the plain search first spares every other input a line-anchored regex over its first 8 KiB
  return head.includes('#migratable-probe ') && HEADER.test(head);
}

/** Parses a bundle; throws InputError (one line) when it is not one, is newer, or is cut off. */
export function parseProbeBundle(text: string, where: string): RawProbe {
  const header = HEADER.exec(text.slice(0, 8192));
  if (!header)
    throw new InputError(where, 'not a migratable probe bundle: expected a first line "#migratable-probe N"');
  const formatVersion = Number(header[1]);
  if (formatVersion > PROBE_FORMAT_VERSION) {
    throw new InputError(
      where,
      `probe bundle format ${formatVersion} is newer than this migratable understands (${PROBE_FORMAT_VERSION}); upgrade migratable`,
    );
  }
  const sections = splitSections(text.slice(header.index + header[0].length), where);

  const cpuinfo = sections.get('cpuinfo');
  if (cpuinfo === undefined) throw new InputError(where, 'probe bundle has no "#section cpuinfo"');
  if (!/^processor\s*:/m.test(cpuinfo)) {
    throw new InputError(
      where,
      'probe bundle cpuinfo section holds no "processor" lines (was /proc/cpuinfo readable on the host?)',
    );
  }

  const vulnerabilities: Record<string, string> = {};
  for (const [name, content] of sections) {
    if (name.startsWith('vulnerability ')) vulnerabilities[name.slice('vulnerability '.length).trim()] = content.trim();
  }

  const qmpErrors: string[] = [];
  const qmpError = sections.get('qmp-error');
  if (qmpError !== undefined && qmpError.trim()) qmpErrors.push(oneLine(qmpError));
  const qmpText = sections.get('qmp');
  const qmp = qmpText === undefined ? null : readQmp(qmpText, qmpErrors);

  return {
    formatVersion,
    hostname: firstLine(sections.get('hostname')),
    cpuinfo,
    vulnerabilities,
    kernel: firstLine(sections.get('kernel')),
    microcode: firstLine(sections.get('microcode')),
    collectedAt: firstLine(sections.get('collected-at')),
    qmp,
    qmpError: qmpErrors.length ? qmpErrors.join('; ') : null,
    kvm: readKvmSection(sections.get('kvm')),
    virtualHints: readVirtualSection(sections.get('host-virtual')),
  };
}

const MODULE_NAME = /^kvm(?:_[a-z0-9_]+)?$/;
const PARAM_NAME = /^[a-z0-9_]+$/;

/** "device yes", "module M", "param M NAME VALUE" lines (probe-script.ts); unknown lines are skipped. */
function readKvmSection(text: string | undefined): KvmFacts | null {
  if (text === undefined) return null;
  const facts: KvmFacts = { device: false, modules: {} };
  for (const line of text.split('\n')) {
    const [kind, a, b] = line.trim().split(/\s+/, 3);
    // Names as sysfs has them; anything else (a hostile host's "__proto__") is not a module
    if (kind === 'device') facts.device = a === 'yes';
    else if (!MODULE_NAME.test(a ?? '')) continue;
    else if (kind === 'module') facts.modules[a] ??= {};
    else if (kind === 'param' && b && PARAM_NAME.test(b)) {
      const value = line.trim().split(/\s+/).slice(3).join(' ');
      (facts.modules[a] ??= {})[b] = value;
    }
  }
  return facts;
}

function readVirtualSection(text: string | undefined): VirtualHints | null {
  if (text === undefined) return null;
  const hints: VirtualHints = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const vendor = /^Hypervisor vendor:\s*(.+)$/.exec(line);
    if (vendor) hints.hypervisorVendor = vendor[1].trim();
    const dmi = /^dmi (\w+) (.+)$/.exec(line);
    if (dmi && Object.hasOwn(DMI_HINT, dmi[1])) hints[DMI_HINT[dmi[1] as DmiField]] = dmi[2].trim();
    const xen = /^sys-hypervisor (.+)$/.exec(line);
    if (xen) hints.sysHypervisor = xen[1].trim();
  }
  return hints;
}

/** Section name -> content (trailing newlines trimmed). Requires the closing #end line. */
function splitSections(body: string, where: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name: string | null = null;
  let lines: string[] = [];
  const close = () => {
    if (name !== null) sections.set(name, lines.join('\n').replace(/\n+$/, ''));
  };
  const all = body.split('\n');
  // The text after the last newline is a partial line (cut off mid-write) unless it is "#end".
  const partial = all.pop()!;
  if (partial.replace(/\r$/, '') === END) all.push(partial);
  for (const raw of all) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === END) {
      close();
      return sections;
    }
    if (line.startsWith(SECTION)) {
      close();
      name = line.slice(SECTION.length).trim();
      lines = [];
      if (!name) throw new InputError(where, 'probe bundle has a "#section" line without a name');
      continue;
    }
    if (name !== null) lines.push(line);
  }
  const last = name === null ? 'the header' : `section "${name}"`;
  throw new InputError(
    where,
    `probe bundle is truncated after ${last}: expected a final "#end" line (connection dropped or probe killed?)`,
  );
}

/** Matches QMP replies by the ids the probe script sent; skips events and the greeting. */
function readQmp(text: string, errors: string[]): NonNullable<RawProbe['qmp']> {
  const replies = new Map<string, Record<string, unknown>>();
  let greeting: Record<string, unknown> | null = null;
  let broken = 0;
  for (const raw of text.split('\n')) {
    // A bundle printed by `probe --bundle` before the script dropped QMP's CR shows it escaped ("\r")
    const line = raw.replace(/\\r$/, '');
    if (!line.trim()) continue;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      broken++; // e.g. QEMU killed by timeout mid-line
      continue;
    }
    if (!isObject(msg)) continue;
    if (isObject(msg.QMP)) greeting = msg.QMP;
    else if (typeof msg.id === 'string') replies.set(msg.id, msg);
  }
  if (broken) errors.push(`${broken} QMP line(s) were not valid JSON (QEMU output cut off?)`);

  const answer = (id: string, command: string): unknown => {
    const reply = replies.get(id);
    if (!reply) {
      errors.push(`no reply to ${command}`);
      return undefined;
    }
    if (isObject(reply.error)) {
      errors.push(`${command}: ${String(reply.error.desc ?? reply.error.class ?? 'error')}`);
      return undefined;
    }
    return reply.return;
  };

  const versionReply = answer('version', 'query-version');
  const version = qemuVersion(versionReply) ?? qemuVersion(greeting?.version);

  const hostReply = answer('host', 'query-cpu-model-expansion');
  let hostExpansion: NonNullable<RawProbe['qmp']>['hostExpansion'] = null;
  if (isObject(hostReply) && isObject(hostReply.model) && typeof hostReply.model.name === 'string') {
    hostExpansion = { name: hostReply.model.name, props: isObject(hostReply.model.props) ? hostReply.model.props : {} };
  } else if (hostReply !== undefined) errors.push('query-cpu-model-expansion reply has no model');

  const defsReply = answer('definitions', 'query-cpu-definitions');
  let definitions: Array<Record<string, unknown>> | null = null;
  if (Array.isArray(defsReply)) definitions = defsReply.filter(isObject);
  else if (defsReply !== undefined) errors.push('query-cpu-definitions reply is not a list');

  return { version, hostExpansion, definitions };
}

/** "7.2.22" from QMP's {qemu: {major, minor, micro}}. */
function qemuVersion(v: unknown): string | null {
  if (!isObject(v) || !isObject(v.qemu)) return null;
  const { major, minor, micro } = v.qemu;
  if (typeof major !== 'number' || typeof minor !== 'number' || typeof micro !== 'number') return null;
  return qmpVersionString({ major, minor, micro });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function firstLine(s: string | undefined): string | null {
  const line = s
    ?.split('\n')
    .find((l) => l.trim())
    ?.trim();
  return line ? line : null;
}

function oneLine(s: string): string {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' | ');
}
