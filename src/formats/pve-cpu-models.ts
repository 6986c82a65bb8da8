/**
 * Typed view of /etc/pve/virtual-guest/cpu-models.conf (`cpu-model: <name>` sections), with
 * the value rules of qemu-server's $cpu_fmt (notes/proxmox.md §1.2).
 */
import { InputError } from '../errors.js';
import {
  parseSectionConfig,
  sortedProps,
  writeSectionConfig,
  type SectionConfigDocument,
  type SectionData,
} from './pve-section-config.js';

export const CPU_MODEL_SECTION_TYPE = 'cpu-model';
export const DEFAULT_CPU_MODELS_FILE = '/etc/pve/virtual-guest/cpu-models.conf';

/** A custom model. `name` is without the `custom-` prefix VMs use to refer to it. */
export interface CpuModelSection {
  name: string;
  /** Each element is `+flag` or `-flag`. */
  flags: string[];
  reportedModel?: string;
  physBits?: number | 'host';
  hidden?: boolean;
  hvVendorId?: string;
  guestPhysBits?: number;
  level?: number;
}

/**
 * The comment migratable puts above a section it generated, naming the hosts the model was computed
 * for; `apply` records them in the inventory (Proxmox's writer drops comments, the inventory keeps them).
 */
export function modelHostsComment(hosts: string[]): string {
  const shown = hosts.slice(0, MAX_HOSTS_NAMED).map((h) => h.replace(/[\s,]+/g, '_'));
  return `# hosts${hosts.length > shown.length ? ` (first ${shown.length} of ${hosts.length})` : ''}: ${shown.join(', ')}`;
}

/** A baseline over a whole fleet names this many; the inventory's scans hold the rest. */
const MAX_HOSTS_NAMED = 50;

/** The hosts of the first `# hosts:` comment in a section file, or [] when it has none. */
export function modelHostsFromText(text: string): string[] {
  const m = /^# hosts(?: \(first \d+ of \d+\))?: (.*)$/m.exec(text);
  return m
    ? m[1]
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean)
    : [];
}

/** One element of the `flags` list (anchored like PVE::JSONSchema does). */
export const CPU_FLAG_ELEMENT_RE = /^([+-])([a-zA-Z0-9\-_.]+)$/;
/**
 * Names we generate: pve-configid ($CONFIGID_RE = qr/[a-z][a-z0-9_-]+/i in pve-common's
 * src/PVE/JSONSchema.pm, line 25 on stable-7, 27 on stable-bookworm, 30 on master: upper case allowed),
 * max 40 chars, so the 9.2 CRUD API accepts them too.
 */
export const GENERATED_MODEL_NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{1,39}$/;
const HV_VENDOR_ID_RE = /^[a-zA-Z0-9]{1,12}$/;
// The reported-model enum differs per PVE/QEMU version; check the shape, not membership.
const REPORTED_MODEL_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Problems with a model, empty when it is valid for writing. */
export function cpuModelProblems(m: CpuModelSection): string[] {
  const p: string[] = [];
  if (!GENERATED_MODEL_NAME_RE.test(m.name)) {
    p.push(`model name ${JSON.stringify(m.name)} must match ${GENERATED_MODEL_NAME_RE.source}`);
  } else if (m.name.startsWith('custom-')) {
    p.push(`model name ${JSON.stringify(m.name)} must not include the 'custom-' prefix (VMs add it)`);
  }
  const seen = new Map<string, string>();
  for (const f of m.flags) {
    const mm = CPU_FLAG_ELEMENT_RE.exec(f);
    if (!mm) {
      p.push(`flag ${JSON.stringify(f)} must be +name or -name with name of [a-zA-Z0-9-_.]`);
      continue;
    }
    const prev = seen.get(mm[2]);
    if (prev !== undefined) p.push(`flag '${mm[2]}' is listed twice (${prev} and ${f})`);
    seen.set(mm[2], f);
  }
  if (m.reportedModel !== undefined) {
    if (!REPORTED_MODEL_RE.test(m.reportedModel))
      p.push(`reported-model ${JSON.stringify(m.reportedModel)} is not a model name`);
    else if (/^x86-64-v\d/.test(m.reportedModel) || m.reportedModel.startsWith('custom-')) {
      p.push(
        `reported-model '${m.reportedModel}' is not allowed (abstract and custom models cannot be reported models)`,
      );
    }
  }
  if (m.physBits !== undefined && m.physBits !== 'host' && !intIn(m.physBits, 8, 64)) {
    p.push(`phys-bits must be 8-64 or 'host', got ${m.physBits}`);
  }
  if (m.guestPhysBits !== undefined && !intIn(m.guestPhysBits, 32, 64))
    p.push(`guest-phys-bits must be 32-64, got ${m.guestPhysBits}`);
  if (m.level !== undefined && !intIn(m.level, 0, 4294967295)) p.push(`level must be 0-4294967295, got ${m.level}`);
  if (m.hvVendorId !== undefined && !HV_VENDOR_ID_RE.test(m.hvVendorId)) {
    p.push(`hv-vendor-id ${JSON.stringify(m.hvVendorId)} must be 1-12 letters/digits`);
  }
  return p;
}

const intIn = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;

/** Throws InputError listing every problem. */
export function validateCpuModelSection(m: CpuModelSection, where = 'cpu model'): void {
  const p = cpuModelProblems(m);
  if (p.length) throw new InputError(where, p.join('; '));
}

/** The section's properties as PVE writes them (booleans 0/1, keys sorted). */
export function cpuModelToSectionData(m: CpuModelSection): SectionData {
  const props: Array<[string, string]> = [];
  if (m.flags.length) props.push(['flags', m.flags.join(';')]);
  if (m.reportedModel !== undefined) props.push(['reported-model', m.reportedModel]);
  if (m.physBits !== undefined) props.push(['phys-bits', String(m.physBits)]);
  if (m.hidden !== undefined) props.push(['hidden', m.hidden ? '1' : '0']);
  if (m.hvVendorId !== undefined) props.push(['hv-vendor-id', m.hvVendorId]);
  if (m.guestPhysBits !== undefined) props.push(['guest-phys-bits', String(m.guestPhysBits)]);
  if (m.level !== undefined) props.push(['level', String(m.level)]);
  return { type: CPU_MODEL_SECTION_TYPE, id: m.name, props: sortedProps(props) };
}

/** One section, exactly as PVE would write it (trailing blank line included). Validates first. */
export function renderCpuModelSection(m: CpuModelSection): string {
  validateCpuModelSection(m, `cpu model '${m.name}'`);
  return writeSectionConfig([cpuModelToSectionData(m)]);
}

// PVE::JSONSchema::parse_boolean
function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return true; // bare key
  if (/^(1|on|yes|true)$/i.test(v)) return true;
  if (/^(0|off|no|false)$/i.test(v)) return false;
  return undefined;
}

function parseIntStrict(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export interface ParsedCpuModels {
  doc: SectionConfigDocument;
  models: CpuModelSection[];
}

/**
 * Parse a cpu-models.conf into typed models. Names are taken as written (PVE accepts any
 * non-blank id); values are checked against the schema and reported with line numbers.
 */
/** A cpu-models.conf: a `cpu-model: NAME` section header at the start of a line. */
export function looksLikeCpuModels(text: string): boolean {
  return /^cpu-model:[ \t]*\S/m.test(text);
}

export function parseCpuModels(text: string, where: string): ParsedCpuModels {
  const doc = parseSectionConfig(text, where);
  const models: CpuModelSection[] = [];
  for (const c of doc.chunks) {
    if (c.kind !== 'section') continue;
    if (c.type !== CPU_MODEL_SECTION_TYPE) {
      throw new InputError(
        where,
        `line ${c.line}: unsupported section type '${c.type}' (expected '${CPU_MODEL_SECTION_TYPE}')`,
      );
    }
    const m: CpuModelSection = { name: c.id, flags: [] };
    for (const { key, value, line } of c.props) {
      const bad = (why: string): never => {
        throw new InputError(where, `line ${line}: section '${c.id}': ${key}: ${why}`);
      };
      switch (key) {
        case 'flags': {
          const parts = (value ?? '').split(';');
          for (const f of parts) if (!CPU_FLAG_ELEMENT_RE.test(f)) bad(`invalid flag ${JSON.stringify(f)}`);
          m.flags = parts;
          break;
        }
        case 'reported-model':
          if (value === undefined) bad('missing value');
          m.reportedModel = value;
          break;
        case 'phys-bits': {
          const n = parseIntStrict(value);
          if (value === 'host') m.physBits = 'host';
          else if (n !== undefined && n >= 8 && n <= 64) m.physBits = n;
          else bad(`expected 8-64 or 'host', got ${JSON.stringify(value)}`);
          break;
        }
        case 'hidden': {
          const b = parseBool(value);
          if (b === undefined) bad(`expected 0 or 1, got ${JSON.stringify(value)}`);
          m.hidden = b;
          break;
        }
        case 'hv-vendor-id':
          if (value === undefined || !HV_VENDOR_ID_RE.test(value))
            bad(`expected 1-12 letters/digits, got ${JSON.stringify(value)}`);
          m.hvVendorId = value;
          break;
        case 'guest-phys-bits': {
          const n = parseIntStrict(value);
          if (n === undefined || n < 32 || n > 64) bad(`expected 32-64, got ${JSON.stringify(value)}`);
          m.guestPhysBits = n;
          break;
        }
        case 'level': {
          const n = parseIntStrict(value);
          if (n === undefined || n > 4294967295) bad(`expected 0-4294967295, got ${JSON.stringify(value)}`);
          m.level = n;
          break;
        }
        default:
          bad(
            'unknown property (known: flags, reported-model, phys-bits, hidden, hv-vendor-id, guest-phys-bits, level)',
          );
      }
    }
    models.push(m);
  }
  return { doc, models };
}
