/** Reads libvirt's x86 CPU map (reference copy in ../shared/reference/libvirt-cpu_map) into plain records. */
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
  /** libvirt feature names, including those marked removed='yes' (QEMU's model still has them) */
  features: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  isArray: (name) => ['feature', 'alias', 'model', 'include', 'group'].includes(name),
});

function bitOf(mask: string): number {
  const v = parseInt(mask, 16);
  if (v === 0 || (v & (v - 1)) !== 0) throw new Error(`mask ${mask} is not a single bit`);
  return Math.log2(v);
}

export function readLibvirtFeatures(dir: string): LibvirtFeature[] {
  const doc = parser.parse(readFileSync(join(dir, 'x86_features.xml'), 'utf8'));
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

export function readLibvirtModels(dir: string): LibvirtModel[] {
  const index = parser.parse(readFileSync(join(dir, 'index.xml'), 'utf8'));
  const files: string[] = [];
  const arches = [index.cpus.arch].flat();
  const x86 = arches.find((a: XmlNode) => a.name === 'x86');
  if (!x86) throw new Error(`${dir}/index.xml has no x86 arch`);
  for (const g of x86.group ?? []) for (const inc of g.include ?? []) files.push(inc.filename);
  const out: LibvirtModel[] = [];
  for (const file of files) {
    const doc = parser.parse(readFileSync(join(dir, file), 'utf8'));
    for (const m of doc.cpus.model ?? []) {
      const parent = (m.model ?? [])[0]?.name ?? null;
      out.push({
        name: m.name,
        parent,
        vendor: m.vendor ? (VENDOR_STRINGS[m.vendor.name] ?? m.vendor.name) : null,
        family: m.signature ? Number(Array.isArray(m.signature) ? m.signature[0].family : m.signature.family) : null,
        model: m.signature ? Number(Array.isArray(m.signature) ? m.signature[0].model : m.signature.model) : null,
        features: (m.feature ?? []).map((f: XmlNode) => f.name),
      });
    }
  }
  return out;
}

/** Whether libvirt's definition of `name` (following its parent chain) lists `feature`. */
export function libvirtDefines(byName: Map<string, LibvirtModel>, name: string, feature: string): boolean {
  for (let m = byName.get(name); m; m = m.parent ? byName.get(m.parent) : undefined)
    if (m.features.length) return m.features.includes(feature);
  return false;
}
