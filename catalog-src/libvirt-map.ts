/**
 * The one reader of libvirt's x86 CPU map (src/cpu_map/: index.xml, x86_features.xml, x86_<model>.xml),
 * for the generator (the reference copy) and the tests (the installed /usr/share/libvirt/cpu_map).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { CpuidBit, MsrBit, Register } from '../src/catalog/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fast-xml-parser output has no static shape
type XmlNode = any;

export interface LibvirtFeature {
  name: string;
  qemuAliases: string[];
  cpuid: CpuidBit | null;
  msr: MsrBit | null;
}

export interface LibvirtModel {
  name: string;
  parent: string | null;
  vendor: string | null;
  family: number | null;
  model: number | null;
  /**
   * libvirt feature names the model's own file lists, removed='yes' ones included (libvirt still counts
   * them for domains that do not mention them; QEMU's model still has them). Features a later libvirt
   * added to a released model (added='yes', libvirt commit 5fbfa5ab "cpu: x86: Add support for adding
   * features to existing CPU models") are not part of the model and are left out.
   */
  features: string[];
  /** The subset of `features` marked removed='yes' */
  removed: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  isArray: (name) => ['feature', 'alias', 'model', 'include', 'group'].includes(name),
});

const parse = (dir: string, file: string) => parser.parse(readFileSync(join(dir, file), 'utf8'));

function bitOf(mask: string): number {
  const v = parseInt(mask, 16);
  if (v === 0 || (v & (v - 1)) !== 0) throw new Error(`mask ${mask} is not a single bit`);
  return Math.log2(v);
}

/** The x86 files index.xml includes, in its order (groups of newer maps flattened). */
export function readLibvirtIndex(dir: string): string[] {
  const index = parse(dir, 'index.xml');
  const x86 = [index.cpus.arch].flat().find((a: XmlNode) => a.name === 'x86');
  if (!x86) throw new Error(`${dir}/index.xml has no x86 arch`);
  const includes = [...(x86.include ?? []), ...(x86.group ?? []).flatMap((g: XmlNode) => g.include ?? [])];
  return includes.map((inc: XmlNode) => inc.filename);
}

export function readLibvirtFeatures(dir: string): LibvirtFeature[] {
  const doc = parse(dir, 'x86_features.xml');
  const out: LibvirtFeature[] = [];
  for (const f of doc.cpus.feature as XmlNode[]) {
    const qemuAliases = (f.alias ?? []).filter((a: XmlNode) => a.source === 'qemu').map((a: XmlNode) => a.name);
    let cpuid: CpuidBit | null = null;
    let msr: MsrBit | null = null;
    if (f.cpuid) {
      const c = f.cpuid;
      const reg = (['eax', 'ebx', 'ecx', 'edx'] as Register[]).find((r) => c[r] !== undefined)!;
      cpuid = {
        leaf: parseInt(c.eax_in, 16),
        subleaf: c.ecx_in !== undefined ? parseInt(c.ecx_in, 16) : null,
        register: reg,
        bit: bitOf(c[reg]),
      };
    } else if (f.msr) {
      const m = f.msr;
      const lo = parseInt(m.eax, 16);
      msr = { index: parseInt(m.index, 16), bit: lo ? bitOf(m.eax) : 32 + bitOf(m.edx) };
    }
    out.push({ name: f.name, qemuAliases, cpuid, msr });
  }
  return out;
}

const VENDOR_STRINGS: Record<string, string> = {
  Intel: 'GenuineIntel',
  AMD: 'AuthenticAMD',
  Hygon: 'HygonGenuine',
  'Zhaoxin CentaurHauls': 'CentaurHauls',
};

/** Every model of the map's x86 model files, in index.xml's order. */
export function readLibvirtModels(dir: string): LibvirtModel[] {
  const out: LibvirtModel[] = [];
  for (const file of readLibvirtIndex(dir)) {
    if (file === 'x86_features.xml' || file === 'x86_vendors.xml') continue;
    for (const m of parse(dir, file).cpus.model ?? []) {
      const signature = m.signature ? [m.signature].flat()[0] : null;
      const listed = (m.feature ?? []).filter((f: XmlNode) => f.added !== 'yes');
      out.push({
        name: m.name,
        parent: (m.model ?? [])[0]?.name ?? null,
        vendor: m.vendor ? (VENDOR_STRINGS[m.vendor.name] ?? m.vendor.name) : null,
        family: signature ? Number(signature.family) : null,
        model: signature ? Number(signature.model) : null,
        features: listed.map((f: XmlNode) => f.name),
        removed: listed.filter((f: XmlNode) => f.removed === 'yes').map((f: XmlNode) => f.name),
      });
    }
  }
  return out;
}

/**
 * Every feature libvirt's definition of each model lists, its parent's first (libvirt copies the parent
 * model, then adds the model's own features), in libvirt's spelling; without removed='yes' ones when
 * `withRemoved` is false.
 */
export function libvirtDefinitions(models: LibvirtModel[], withRemoved = true): Map<string, string[]> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const all = (name: string, depth = 0): string[] => {
    const m = byName.get(name);
    if (!m || depth > 20) return [];
    const own = withRemoved ? m.features : m.features.filter((f) => !m.removed.includes(f));
    return [...(m.parent ? all(m.parent, depth + 1) : []), ...own];
  };
  return new Map(models.map((m) => [m.name, [...new Set(all(m.name))]]));
}
