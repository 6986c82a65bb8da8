/**
 * The catalog's features: QEMU's own vocabulary (the snapshots), libvirt's newer names in QEMU's
 * spelling, CPUID/MSR bits from libvirt's map, QEMU's printouts and KVM's paravirtual leaf, every
 * spelling QEMU's -cpu parser accepts, then category, vendor and migration properties.
 */
import type { Category, CpuidBit, Feature, FeatureVendor } from '../src/catalog/types.js';
import { compareVersions } from '../src/version.js';
import { curated } from './curated.js';
import { firstRelease } from './qemu-releases.js';
import type { LibvirtSlice } from './stages/libvirt.js';
import { parseQemuBit, type BitRef, type QemuMigration, type QemuSlice } from './stages/qemu.js';

export interface FeatureSet {
  /** In the order they were found; sorted by name when the catalog is written */
  features: Feature[];
  byName: Map<string, Feature>;
  /** libvirt spelling (and libvirt's QEMU aliases) -> canonical QEMU name */
  lvToCanon: Map<string, string>;
  /** A libvirt feature name in QEMU's spelling (names libvirt's feature map lacks: "_" read as "-") */
  fromLibvirt: (libvirtName: string) => string;
}

const featureReleases: Record<string, string> = curated('feature-releases.json');

export const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

function blank(name: string, qemu: string | null): Feature {
  return {
    name,
    aliases: [],
    linux: null,
    libvirt: null,
    cpuid: null,
    msr: null,
    category: 'other',
    vendor: 'any',
    qemu,
    kvm: 'passthrough',
    blocksMigration: false,
    nested: false,
    hypercall: null,
    description: '',
  };
}

export function assembleFeatures({ snap }: QemuSlice, libvirt: LibvirtSlice): FeatureSet {
  const flags = new Set(snap.flags);
  const lvToCanon = new Map<string, string>();
  const canonFromLibvirt = (name: string, qemuAliases: string[]): string => {
    if (flags.has(name)) return name;
    for (const a of qemuAliases) if (flags.has(a)) return a;
    if (snap.aliases[name]) return snap.aliases[name];
    const hyphen = name.replace(/_/g, '-');
    if (flags.has(hyphen)) return hyphen;
    return qemuAliases.find((a) => !a.includes('_')) ?? hyphen;
  };
  const byName = new Map<string, Feature>();
  for (const f of snap.flags)
    byName.set(
      f,
      blank(f, firstRelease(f, snap.flagRelease[f], featureReleases[f], snap.releases, 'feature-releases.json')),
    );
  for (const lf of libvirt.features) {
    const canon = canonFromLibvirt(lf.name, lf.qemuAliases);
    lvToCanon.set(lf.name, canon);
    for (const a of lf.qemuAliases) lvToCanon.set(a, canon);
    const f = byName.get(canon) ?? blank(canon, null);
    f.libvirt = lf.name;
    f.cpuid = lf.cpuid;
    f.msr = lf.msr;
    byName.set(canon, f);
  }
  for (const x of curated<{ features: Array<{ name: string; cpuid: CpuidBit }> }>('extra-features.json').features) {
    if (!byName.has(x.name)) byName.set(x.name, { ...blank(x.name, null), cpuid: x.cpuid });
  }
  // CPUID bits libvirt lacks: what QEMU itself printed, and KVM's paravirtual leaf
  for (const [name, text] of Object.entries(snap.bits)) {
    const f = byName.get(name);
    if (f && !f.cpuid && !f.msr) Object.assign(f, parseQemuBit(text));
  }
  for (const [name, spec] of Object.entries(curated<Record<string, string>>('kvm-leaf.json'))) {
    if (name.startsWith('$')) continue;
    const f = byName.get(name);
    const [register, bit] = String(spec).split(':');
    if (f) f.cpuid = { leaf: 0x40000001, subleaf: null, register: register as CpuidBit['register'], bit: Number(bit) };
  }
  // aliases: QEMU's explicit alias props, libvirt's qemu aliases, and the `_` spelling -cpu accepts for every `-` name
  for (const [alias, canon] of Object.entries(snap.aliases)) byName.get(canon)?.aliases.push(alias);
  for (const lf of libvirt.features) {
    const f = byName.get(lvToCanon.get(lf.name)!)!;
    // libvirt's own spelling is an alias only where QEMU's -cpu parser accepts it too ("_" read as "-")
    const accepted = [lf.name, ...lf.qemuAliases].filter(
      (a) => a.replace(/_/g, '-') === f.name || snap.aliases[a] === f.name || lf.qemuAliases.includes(a),
    );
    for (const a of accepted) if (a !== f.name && !f.aliases.includes(a)) f.aliases.push(a);
  }
  for (const f of byName.values()) {
    if (f.name.includes('-')) {
      const u = f.name.replace(/-/g, '_');
      if (!f.aliases.includes(u)) f.aliases.push(u);
    }
    f.aliases.sort();
  }
  const fromLibvirt = (n: string) => lvToCanon.get(n) ?? n.replace(/_/g, '-');
  return { features: [...byName.values()], byName, lvToCanon, fromLibvirt };
}

interface Categories {
  rules: Array<[Category, string]>;
  default: Category;
}

interface Vendors {
  intel: string[];
  amd: string[];
  amdLeaves: string[];
  kvmLeaves: string[];
  centaurLeaves: string[];
}

const isBit = (c: CpuidBit | null, b: BitRef) =>
  !!c && c.leaf === parseInt(b.leaf, 16) && c.register === b.register && c.bit === b.bit;

/**
 * Migration properties from their sources, joined on the CPUID/MSR bit: QEMU's unmigratable flags and
 * nested-virtualization words (stage QEMU), the hypercall a KVM paravirtual bit makes the guest use
 * (stage Linux/KVM).
 */
export function migrationProperties(features: Feature[], qemu: QemuMigration, hypercalls: Map<number, string>): void {
  const vmxMsrs = new Set(qemu.nested.msrWords.map((w) => parseInt(w.index, 16)));
  for (const f of features) {
    f.blocksMigration = qemu.unmigratable.cpuid.some((b) => isBit(f.cpuid, b));
    f.nested =
      qemu.nested.cpuid.some((b) => isBit(f.cpuid, b)) ||
      qemu.nested.cpuidWords.some((w) => f.cpuid?.leaf === parseInt(w.leaf, 16) && f.cpuid.register === w.register) ||
      (!!f.msr && vmxMsrs.has(f.msr.index));
    f.hypercall = (f.cpuid?.leaf === 0x40000001 && f.cpuid.register === 'eax' && hypercalls.get(f.cpuid.bit)) || null;
  }
  for (const [what, n] of [
    ['unmigratable', features.filter((f) => f.blocksMigration).length],
    ['nested', features.filter((f) => f.nested).length],
    ['hypercall', features.filter((f) => f.hypercall).length],
  ] as const)
    if (!n)
      throw new Error(
        `no feature is ${what}: the bits in catalog-src/qemu-migration.json or kvm-hypercalls.json match nothing`,
      );
}

/** Category (categories.json), whose bit it is (vendors.json), a fallback description. */
export function classifyFeatures(features: Feature[]): void {
  const categories = curated<Categories>('categories.json');
  const vendors = curated<Vendors>('vendors.json');
  const rules = categories.rules.map(([c, re]) => [c, new RegExp(`^(?:${re})$`)] as const);
  const vendorOf = (f: Feature): FeatureVendor => {
    if (f.cpuid && vendors.kvmLeaves.includes(hex(f.cpuid.leaf))) return 'kvm';
    if (f.cpuid && vendors.centaurLeaves.includes(hex(f.cpuid.leaf))) return 'centaur';
    if (vendors.intel.includes(f.name)) return 'intel';
    if (vendors.amd.includes(f.name)) return 'amd';
    if (f.cpuid && vendors.amdLeaves.includes(hex(f.cpuid.leaf))) return 'amd';
    if (f.msr || f.name.startsWith('vmx-')) return 'intel';
    return 'any';
  };
  for (const f of features) {
    f.category = rules.find(([, re]) => re.test(f.name))?.[0] ?? categories.default;
    f.vendor = vendorOf(f);
    if (!f.description) {
      f.description = f.cpuid
        ? `CPUID ${hex(f.cpuid.leaf)}${f.cpuid.subleaf !== null ? `.${f.cpuid.subleaf}` : ''} ${f.cpuid.register.toUpperCase()}[${f.cpuid.bit}]`
        : f.msr
          ? `MSR ${hex(f.msr.index)} bit ${f.msr.bit}`
          : '';
    }
  }
}

/**
 * First QEMU release of names newer than the oldest snapshot: curated, else the first model that needs
 * them (a model's definition names them, so they exist in its release), else the first snapshot with them.
 */
export function settleFeatureReleases(
  features: Feature[],
  models: Array<{ features: string[]; qemu: string }>,
  oldest: string,
): void {
  for (const f of features) {
    if (f.qemu === oldest) continue;
    if (featureReleases[f.name]) f.qemu = featureReleases[f.name];
    else {
      const users = models
        .filter((m) => m.features.includes(f.name))
        .map((m) => m.qemu)
        .concat(f.qemu ?? [])
        .sort(compareVersions);
      f.qemu = users[0] ?? null;
    }
  }
  features.sort((a, b) => a.name.localeCompare(b.name));
}
