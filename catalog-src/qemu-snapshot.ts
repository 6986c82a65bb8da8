/**
 * Asks the installed QEMU everything the catalog needs and saves the raw answers to
 * catalog-src/snapshots/qemu-<version>.json, so generation is reproducible without QEMU
 * and a test can compare the committed snapshot with the live binary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { findQemu, kvmUsable } from '../src/qemu/binary.js';
import {
  QmpSession,
  enabledProps,
  expandCpuModel,
  queryCpuDefinitions,
  qemuVersion,
  type CpuDefinition,
} from '../src/qemu/qmp.js';
import { shortVersion } from './qemu-releases.js';

export interface QemuSnapshot {
  version: string;
  /** "Recognized CPUID flags" of -cpu help: QEMU's canonical feature vocabulary */
  flags: string[];
  /** alias -> canonical, found by switching each extra bool prop on over `base` */
  aliases: Record<string, string>;
  /**
   * The x86 CPU's own properties that are no CPUID feature (x86_cpu_properties: enforce, phys-bits,
   * hv-*, ...) -> QOM type: max-x86_64-cpu's properties less those every CPU has (TYPE_CPU) and the
   * feature names and aliases. Older snapshots lack it (optional).
   */
  properties?: Record<string, string>;
  /** phys-bits of a 64-bit named model started without it (-cpu Haswell-v4, TCG): QEMU's default width */
  physBits?: number;
  definitions: CpuDefinition[];
  models: Record<
    string,
    {
      tcg: string[];
      kvm: string[] | null;
      vendor: string;
      family: number;
      model: number;
      stepping: number;
      modelId: string;
    }
  >;
  /** Leaf/register/bit QEMU prints for features the accelerator lacks (enforce warnings) */
  bits: Record<string, string>;
}

const NON_MODELS = new Set(['host', 'max', 'base']);

export function recognizedFlags(binary: string): string[] {
  const out = spawnSync(binary, ['-cpu', 'help'], { encoding: 'utf8' }).stdout;
  const idx = out.indexOf('Recognized CPUID flags:');
  if (idx < 0) throw new Error(`${binary} -cpu help printed no "Recognized CPUID flags"`);
  return [...new Set(out.slice(idx).split('\n').slice(1).join(' ').split(/\s+/).filter(Boolean))].sort();
}

async function findAliases(s: QmpSession, flags: Set<string>): Promise<Record<string, string>> {
  const props = await s.execute<Array<{ name: string; type: string }>>('qom-list-properties', {
    typename: 'max-x86_64-cpu',
  });
  const aliases: Record<string, string> = {};
  for (const p of props) {
    if (p.type !== 'bool' || flags.has(p.name)) continue;
    let on: string[];
    try {
      on = enabledProps(await expandCpuModel(s, 'static', { name: 'base', props: { [p.name]: true } }));
    } catch {
      continue;
    }
    if (on.length === 1 && flags.has(on[0])) aliases[p.name] = on[0];
  }
  return aliases;
}

/** See QemuSnapshot.properties: the -cpu options QEMU's x86 CPU takes besides its features. */
export async function cpuProperties(
  s: QmpSession,
  flags: Set<string>,
  aliases: Record<string, string>,
): Promise<Record<string, string>> {
  type Prop = { name: string; type: string };
  const list = (typename: string) => s.execute<Prop[]>('qom-list-properties', { typename });
  const generic = new Set((await list('cpu')).map((p) => p.name));
  const feature = (n: string) => flags.has(n) || n in aliases || flags.has(n.replace(/_/g, '-'));
  const own = (await list('max-x86_64-cpu')).filter((p) => !generic.has(p.name) && !feature(p.name));
  return Object.fromEntries(own.map((p) => [p.name, p.type]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** See QemuSnapshot.physBits: asks a started (-S) Haswell-v4 for its phys-bits over QMP. */
export function defaultPhysBits(binary: string): number {
  const input = [
    { execute: 'qmp_capabilities' },
    { execute: 'query-cpus-fast' },
    { execute: 'qom-get', arguments: { path: '/machine/unattached/device[0]', property: 'phys-bits' } },
    { execute: 'quit' },
  ];
  const r = spawnSync(
    binary,
    ['-machine', 'pc,accel=tcg', '-nodefaults', '-display', 'none', '-S', '-cpu', 'Haswell-v4', '-qmp', 'stdio'],
    { encoding: 'utf8', input: input.map((c) => JSON.stringify(c)).join('\n') + '\n', timeout: 20000 },
  );
  const replies = (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.includes('"return"'))
    .map((l) => JSON.parse(l).return);
  const cpus = replies[1] as Array<{ 'qom-path': string }> | undefined;
  if (cpus?.[0]?.['qom-path'] !== '/machine/unattached/device[0]' || typeof replies[2] !== 'number')
    throw new Error(`${binary}: could not read the default phys-bits over QMP`);
  return replies[2];
}

/** Parses "warning: TCG doesn't support requested feature: CPUID.07H:EBX.avx512f [bit 16]" lines. */
function enforceWarnings(binary: string, accel: string, flags: string[]): Record<string, string> {
  const bits: Record<string, string> = {};
  const chunk = 40;
  for (let i = 0; i < flags.length; i += chunk) {
    const cpu = ['base', ...flags.slice(i, i + chunk).map((f) => `${f}=on`), 'check=on'].join(',');
    const r = spawnSync(
      binary,
      ['-machine', `pc,accel=${accel}`, '-nodefaults', '-display', 'none', '-S', '-cpu', cpu, '-qmp', 'stdio'],
      {
        encoding: 'utf8',
        input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n',
        timeout: 20000,
      },
    );
    for (const m of (r.stderr ?? '').matchAll(
      /requested feature: ((?:CPUID\.[0-9A-F]+H:[A-Z]+|MSR\([0-9A-F]+H\)))\.([\w.-]+) \[bit (\d+)\]/g,
    )) {
      bits[m[2]] = `${m[1]} bit ${m[3]}`;
    }
  }
  return bits;
}

/**
 * The vendor module behind /dev/kvm when it is hardware KVM (kvm_intel or kvm_amd), else null. A
 * paravirtual KVM (kvm_pvm, which runs inside another VM) also opens /dev/kvm but offers far less than
 * the CPU has: its answers are not QEMU's KVM expansions and must never be recorded as such.
 */
export function hardwareKvmModule(sysModule = '/sys/module'): 'kvm_intel' | 'kvm_amd' | null {
  if (!kvmUsable()) return null;
  for (const m of ['kvm_intel', 'kvm_amd'] as const) if (existsSync(`${sysModule}/${m}`)) return m;
  return null;
}

/** Asks `binary` (default: the installed QEMU) everything; KVM expansions only under hardware KVM. */
export async function takeSnapshot(binary: string | null = findQemu()): Promise<QemuSnapshot> {
  if (!binary) throw new Error('qemu-system-x86_64 not found (apt-get install qemu-system-x86)');
  const flags = recognizedFlags(binary);
  const tcg = await QmpSession.start({ accel: 'tcg', binary });
  const module = hardwareKvmModule();
  if (!module && kvmUsable())
    console.warn('/dev/kvm is not kvm_intel or kvm_amd here (paravirtual KVM?): taking TCG answers only');
  const kvm = module ? await QmpSession.start({ accel: 'kvm', binary }) : null;
  try {
    const version = await qemuVersion(tcg);
    const definitions = (await queryCpuDefinitions(tcg)).map((d) => ({
      ...d,
      'unavailable-features': undefined,
    })) as CpuDefinition[];
    definitions.sort((a, b) => a.name.localeCompare(b.name));
    const models: QemuSnapshot['models'] = {};
    for (const d of definitions) {
      if (d['alias-of'] || NON_MODELS.has(d.name)) continue;
      const t = await expandCpuModel(tcg, 'static', { name: d.name });
      const k = kvm ? await expandCpuModel(kvm, 'static', { name: d.name }) : null;
      const p = t.props ?? {};
      models[d.name] = {
        tcg: enabledProps(t),
        kvm: k ? enabledProps(k) : null,
        vendor: String(p.vendor),
        family: Number(p.family),
        model: Number(p.model),
        stepping: Number(p.stepping),
        modelId: String(p['model-id']),
      };
    }
    const aliases = await findAliases(tcg, new Set(flags));
    const properties = await cpuProperties(tcg, new Set(flags), aliases);
    const bits = { ...enforceWarnings(binary, 'tcg', flags), ...(kvm ? enforceWarnings(binary, 'kvm', flags) : {}) };
    const physBits = defaultPhysBits(binary);
    return { version, flags, aliases, properties, physBits, definitions, models, bits };
  } finally {
    await tcg.close();
    await kvm?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // tsx catalog-src/qemu-snapshot.ts [BINARY]
  const snap = await takeSnapshot(process.argv[2] ?? findQemu());
  const short = shortVersion(snap.version);
  const file = new URL(`./snapshots/qemu-${short}.json`, import.meta.url);
  writeFileSync(file, JSON.stringify(snap, null, 1) + '\n');
  console.log(
    `wrote ${file.pathname}: ${snap.flags.length} flags, ${Object.keys(snap.aliases).length} aliases, ${Object.keys(snap.models).length} models, ${Object.keys(snap.bits).length} bits`,
  );
}
