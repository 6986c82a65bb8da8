/**
 * Proxmox VM configs (/etc/pve/qemu-server/<vmid>.conf): the current config's `cpu:`,
 * `args:` and a few identifying keys. Follows qemu-server's parse_vm_config: the current
 * config ends at the first `[section]` line (snapshots, [PENDING], [special:cloudinit]).
 *
 * A `cpu:` value qemu-server does not accept is dropped as qemu-server drops it: parse_vm_config
 * (qemu-server 9.2.6 e6352be6, src/PVE/QemuServer.pm) runs check_type on every value and only warns
 * "unable to parse value of 'cpu'" when it fails, leaving the key out, so the VM runs the default
 * kvm64. check_type verifies the format pve-vm-cpu-conf (src/PVE/QemuServer/CPUConfig.pm
 * validate_vm_cpu_conf): the property string must parse, the cputype must exist, `reported-model` is
 * not allowed, and a VM may only set the flags of CPUFlags.pm's supported set. A `custom-` model that
 * cpu-models.conf lacks is the reader's to judge (sources/vm/pve.ts), since only it has that file.
 */
import { PVE_CPU_CONF_KEYS, PVE_VM_CPU_FLAGS, isPveCpuType } from '../catalog/proxmox.js';
import { InputError } from '../errors.js';
import { CPU_FLAG_ELEMENT_RE } from './pve-cpu-models.js';

/** What PVE uses when a VM has no `cpu:` line (schema default, notes §2.1). */
export const PVE_DEFAULT_CPUTYPE = 'kvm64';

/** The `cpu:` property of a Proxmox VM config as written (qemu-server's cpu format), before any resolution. */
export interface PveCpuProperty {
  /** cputype as written, e.g. `host`, `x86-64-v2-AES`, `custom-foo`; kvm64 when only options were given */
  type: string;
  /** For `custom-NAME`: NAME (the cpu-models.conf section id) */
  customModel?: string;
  flags: string[];
  physBits?: number | 'host';
  hidden?: boolean;
  hvVendorId?: string;
  reportedModel?: string;
  guestPhysBits?: number;
  level?: number;
}

export interface VmConfig {
  vmid?: number;
  name?: string;
  ostype?: string;
  cpu?: PveCpuProperty;
  /** `args:` split like PVE's split_args (shellwords) */
  args?: string[];
  /** The value of the last `-cpu` in args (QEMU keeps the last one) */
  argsCpu?: string;
  /** `#` comment lines, i.e. the VM description */
  description?: string;
  /** Every key of the current config, value as written */
  raw: Record<string, string>;
  /** Lines PVE itself would warn about and ignore */
  warnings: string[];
  /** A `cpu:` value qemu-server drops (see above): the VM runs kvm64; `raw.cpu` keeps the value */
  invalidCpu?: string;
  /**
   * The `cpu:` of each section after the current config that has one: `[PENDING]` (what the VM
   * starts with next), snapshots `[NAME]` (what a rollback restores) and their `runningcpu:`.
   */
  sections?: VmConfigSection[];
}

export interface VmConfigSection {
  /** `PENDING`, a snapshot name or `special:cloudinit` */
  name: string;
  cpu?: string;
  /** A snapshot with RAM state resumes with this literal -cpu (qemu-server QemuConfig.pm __snapshot_save_vmstate) */
  runningCpu?: string;
}

const CPU_KEYS = PVE_CPU_CONF_KEYS;

/**
 * Parse a `cpu:` property string like PVE::JSONSchema::parse_property_string with
 * cputype as the default key. Throws Error with a message (caller adds file/line).
 */
export function parseCpuProperty(value: string): PveCpuProperty {
  const kv = new Map<string, string>();
  for (const part of value.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const m = /^([^=]+)=(.+)$/.exec(part);
    let key: string;
    let v: string;
    if (m) [, key, v] = m;
    else if (!part.includes('=')) [key, v] = ['cputype', part];
    else throw new Error(`missing key or value in ${JSON.stringify(part)}`);
    if (!CPU_KEYS.has(key)) throw new Error(`invalid key '${key}'`);
    if (kv.has(key)) throw new Error(`duplicate key '${key}'`);
    kv.set(key, v);
  }
  const type = kv.get('cputype') ?? PVE_DEFAULT_CPUTYPE;
  const cpu: PveCpuProperty = { type, flags: [] };
  if (type.startsWith('custom-')) cpu.customModel = type.slice('custom-'.length);
  const flags = kv.get('flags');
  if (flags !== undefined) {
    cpu.flags = flags.split(';');
    for (const f of cpu.flags)
      if (!CPU_FLAG_ELEMENT_RE.test(f)) throw new Error(`invalid flag ${JSON.stringify(f)} in flags`);
  }
  const pb = kv.get('phys-bits');
  if (pb !== undefined) cpu.physBits = pb === 'host' ? 'host' : intIn('phys-bits', pb, 8, 64);
  const hidden = kv.get('hidden');
  if (hidden !== undefined) {
    if (!/^(0|1|on|off|yes|no|true|false)$/i.test(hidden)) throw new Error(`hidden must be 0 or 1, got '${hidden}'`);
    cpu.hidden = /^(1|on|yes|true)$/i.test(hidden);
  }
  const hv = kv.get('hv-vendor-id');
  if (hv !== undefined) cpu.hvVendorId = hv;
  const rm = kv.get('reported-model');
  if (rm !== undefined) cpu.reportedModel = rm;
  const gpb = kv.get('guest-phys-bits');
  if (gpb !== undefined) cpu.guestPhysBits = intIn('guest-phys-bits', gpb, 32, 64);
  const level = kv.get('level');
  if (level !== undefined) cpu.level = intIn('level', level, 0, 4294967295);
  return cpu;
}

/**
 * What validate_vm_cpu_conf adds to the format for a VM's own cpu: (throws Error with the reason).
 * Built-in types are those some release's qemu-server knows (the catalog's data/proxmox.json).
 */
export function checkPveCpuProperty(cpu: PveCpuProperty): void {
  if (!cpu.customModel && !isPveCpuType(cpu.type))
    throw new Error(`Built-in cputype '${cpu.type}' is not defined (missing 'custom-' prefix?)`);
  const bad = cpu.flags.filter((f) => !PVE_VM_CPU_FLAGS.includes(f.slice(1)));
  if (bad.length)
    throw new Error(`VM-specific CPU flags must be a subset of: ${PVE_VM_CPU_FLAGS.join(', ')} (not ${bad.join(';')})`);
  if (cpu.reportedModel !== undefined)
    throw new Error("Property 'reported-model' not allowed in VM-specific CPU config.");
}

function intIn(key: string, v: string, lo: number, hi: number): number {
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= lo && n <= hi)) throw new Error(`${key} must be ${lo}-${hi}, got '${v}'`);
  return n;
}

/**
 * Split like Perl's Text::ParseWords::shellwords (what PVE::Tools::split_args uses):
 * whitespace separates words, '...' is literal, "..." and bare text take backslash escapes.
 * No expansion of any kind. Throws on an unterminated quote.
 */
export function splitArgs(s: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
      i++;
    } else if (ch === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' quote at offset ${i}`);
      word = (word ?? '') + s.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let acc = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        acc += s[j++];
      }
      if (j >= s.length) throw new Error(`unterminated " quote at offset ${i}`);
      word = (word ?? '') + acc;
      i = j + 1;
    } else if (ch === '\\' && i + 1 < s.length) {
      word = (word ?? '') + s[i + 1];
      i += 2;
    } else {
      word = (word ?? '') + ch;
      i++;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** Value of the last `-cpu`/`--cpu` option; QEMU honours the last one given. */
export function cpuFromArgs(args: string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '-cpu' || args[i] === '--cpu') && i + 1 < args.length) found = args[++i];
  }
  return found;
}

// PVE::Tools::decode_text: description lines are stored URI-escaped.
function decodeText(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The cpu:/runningcpu: values of the `[NAME]` sections, as written. */
function sectionCpus(lines: string[]): VmConfigSection[] {
  const out: VmConfigSection[] = [];
  let cur: VmConfigSection | undefined;
  for (const line of lines) {
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) out.push((cur = { name: header[1] }));
    const m = /^(cpu|runningcpu):\s*(.*?)\s*$/.exec(line);
    if (cur && m && m[2] !== '') {
      if (m[1] === 'cpu') cur.cpu = m[2];
      else cur.runningCpu = m[2];
    }
  }
  return out.filter((s) => s.cpu !== undefined || s.runningCpu !== undefined);
}

/** Parse one VM config. `where` names the file in errors; vmid is usually taken from the file name. */
export function parseVmConfig(text: string, where: string, vmid?: number): VmConfig {
  const out: VmConfig = { raw: {}, warnings: [] };
  if (vmid !== undefined) out.vmid = vmid;
  const descr: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const n = i + 1;
    if (/^\s*$/.test(line)) continue;
    // Snapshots, [PENDING] and [special:...] follow the current config: only their CPU is read.
    if (/^\[[^\]]+\]\s*$/.test(line)) {
      out.sections = sectionCpus(lines.slice(i));
      break;
    }
    const c = /^#(.*)$/.exec(line);
    if (c) {
      descr.push(decodeText(c[1]));
      continue;
    }
    const m = /^([a-z][a-z0-9_-]*):\s*(.*?)\s*$/.exec(line);
    if (!m || m[2] === '') {
      out.warnings.push(`line ${n}: cannot parse ${JSON.stringify(line)}`);
      continue;
    }
    const [, key, value] = m;
    if (key in out.raw) out.warnings.push(`line ${n}: '${key}' set again; the last value wins`);
    out.raw[key] = value;
    const bad = (why: string): never => {
      throw new InputError(where, `line ${n}: ${key}: ${why}`);
    };
    if (key === 'cpu') {
      try {
        const cpu = parseCpuProperty(value);
        checkPveCpuProperty(cpu);
        out.cpu = cpu;
        delete out.invalidCpu;
      } catch (e) {
        // Like parse_vm_config: the value is not assigned, an earlier one stays
        out.invalidCpu = value;
        out.warnings.push(
          `line ${n}: cpu: ${(e as Error).message}: qemu-server drops this value ("unable to parse value of 'cpu'"), so the VM runs ${out.cpu ? 'with the cpu: line before it' : `the default ${PVE_DEFAULT_CPUTYPE}`}`,
        );
      }
    }
    try {
      if (key === 'args') out.args = splitArgs(value);
    } catch (e) {
      bad((e as Error).message);
    }
    if (key === 'name') out.name = value;
    if (key === 'ostype') out.ostype = value;
  }
  if (out.args) {
    const argsCpu = cpuFromArgs(out.args);
    if (argsCpu !== undefined) out.argsCpu = argsCpu;
    else if (out.args.includes('-cpu') || out.args.includes('--cpu')) out.warnings.push('args: -cpu without a value');
  }
  if (descr.length) out.description = descr.join('\n');
  return out;
}
