/**
 * Builds data/features.json, data/models.json, data/linux-flags.json and data/kvm.json from:
 * the QEMU snapshots (catalog-src/snapshots/qemu-7.2.json and qemu-10.0.json, made by qemu-snapshot.ts from
 * the real binaries, merged by qemu-releases.ts), libvirt's x86 CPU map, the Linux cpufeatures table and
 * KVM's sources (linux-kvm/) in the folder --reference DIR names, and the curated fact files in
 * catalog-src/*.json. Run: npm run gen:catalog -- --reference DIR [--refresh] (refresh re-asks QEMU).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type {
  Category,
  CpuidBit,
  Feature,
  FeatureVendor,
  LinuxFlag,
  Model,
  ModelVendor,
} from '../src/catalog/types.js';
import { kvmExpansions, svmDependents, type KvmRules } from './kvm-expansion.js';
import { readLibvirtFeatures, readLibvirtModels, type LibvirtModel } from './libvirt-map.js';
import { readLinuxTable } from './linux-table.js';
import { checkQemuChanges } from './qemu-changes.js';
import { firstRelease, loadSnapshots, mergeSnapshots } from './qemu-releases.js';
import { compareVersions } from '../src/version.js';
import { referenceDir } from './reference-dir.js';
import { buildKvmOffer, kvmTreatment, summarize } from './kvm-offer/build.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const reference = referenceDir(process.argv);
const json = (f: string) => JSON.parse(readFileSync(join(here, f), 'utf8'));

const GENERIC_MODELS = new Set(['qemu32', 'qemu64', 'kvm32', 'kvm64']);

/** "CPUID.07H:EBX bit 16" / "MSR(10AH) bit 5" as QEMU prints them for features the accelerator lacks. */
function parseQemuBit(text: string): { cpuid: CpuidBit | null; msr: { index: number; bit: number } | null } {
  const c = /^CPUID\.([0-9A-F]+)H:([A-Z]+) bit (\d+)$/.exec(text);
  if (c) {
    const leaf = parseInt(c[1], 16);
    const register = c[2].toLowerCase() as CpuidBit['register'];
    // QEMU prints no sub-leaf; leaf 7 EAX and leaf 0xD EAX features live in sub-leaf 1.
    const subleaf = [0x7, 0xd, 0x12, 0x14, 0x19, 0x24].includes(leaf)
      ? (leaf === 7 || leaf === 0xd) && register === 'eax'
        ? 1
        : 0
      : null;
    return { cpuid: { leaf, subleaf, register, bit: Number(c[3]) }, msr: null };
  }
  const m = /^MSR\(([0-9A-F]+)H\) bit (\d+)$/.exec(text);
  if (m) return { cpuid: null, msr: { index: parseInt(m[1], 16), bit: Number(m[2]) } };
  throw new Error(`unparsable QEMU bit "${text}"`);
}

function sameBit(a: CpuidBit, leaf: number, subleaf: number | null, register: string, bit: number): boolean {
  return a.leaf === leaf && (a.subleaf ?? 0) === (subleaf ?? 0) && a.register === register && a.bit === bit;
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

async function main() {
  const snap = mergeSnapshots(await loadSnapshots(join(here, 'snapshots'), process.argv.includes('--refresh')));
  const qemuShort = snap.releases[0];
  const flags = new Set(snap.flags);
  const lvDir = join(reference, 'libvirt-cpu_map');
  const lvFeatures = readLibvirtFeatures(lvDir);
  const lvModels = readLibvirtModels(lvDir);
  const linux = readLinuxTable(join(reference, 'linux-cpufeatures.tsv'));
  const kvmFacts = json('kvm.json');
  const categories = json('categories.json');
  const vendors = json('vendors.json');
  const kvmLeaf = json('kvm-leaf.json');
  const modelReleases: Record<string, string> = json('model-releases.json');
  const proxmoxModels: Record<string, string[]> = json('proxmox-models.json');

  // --- feature names: QEMU's own vocabulary, then libvirt's newer names mapped to QEMU spelling
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
  const blank = (name: string, qemu: string | null): Feature => ({
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
    description: '',
  });
  const featureReleases: Record<string, string> = json('feature-releases.json');
  const releaseOf = (name: string, seenIn: string, curated: Record<string, string>, file: string) =>
    firstRelease(name, seenIn, curated[name], snap.releases, file);
  for (const f of snap.flags)
    byName.set(f, blank(f, releaseOf(f, snap.flagRelease[f], featureReleases, 'feature-releases.json')));
  for (const lf of lvFeatures) {
    const canon = canonFromLibvirt(lf.name, lf.qemuAliases);
    lvToCanon.set(lf.name, canon);
    for (const a of lf.qemuAliases) lvToCanon.set(a, canon);
    const f = byName.get(canon) ?? blank(canon, null);
    f.libvirt = lf.name;
    f.cpuid = lf.cpuid;
    f.msr = lf.msr;
    byName.set(canon, f);
  }
  for (const x of json('extra-features.json').features as Array<{ name: string; cpuid: CpuidBit }>) {
    if (!byName.has(x.name)) byName.set(x.name, { ...blank(x.name, null), cpuid: x.cpuid });
  }
  // CPUID bits libvirt lacks: what QEMU itself printed, and KVM's paravirtual leaf
  for (const [name, text] of Object.entries(snap.bits)) {
    const f = byName.get(name);
    if (f && !f.cpuid && !f.msr) Object.assign(f, parseQemuBit(text));
  }
  for (const [name, spec] of Object.entries(kvmLeaf)) {
    if (name.startsWith('$')) continue;
    const f = byName.get(name);
    const [register, bit] = String(spec).split(':');
    if (f) f.cpuid = { leaf: 0x40000001, subleaf: null, register: register as CpuidBit['register'], bit: Number(bit) };
  }
  // aliases: QEMU's explicit alias props, libvirt's qemu aliases, and the `_` spelling -cpu accepts for every `-` name
  for (const [alias, canon] of Object.entries(snap.aliases)) byName.get(canon)?.aliases.push(alias);
  for (const lf of lvFeatures) {
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

  // --- Linux /proc/cpuinfo names, joined on the CPUID bit (never on the spelling: ibrs/ibpb/stibp/ssbd differ)
  const linuxFlags: LinuxFlag[] = [];
  const features = [...byName.values()];
  for (const row of linux) {
    if (!row.cpuinfo) continue;
    const hit = row.cpuid
      ? features.find(
          (f) => f.cpuid && sameBit(f.cpuid, row.cpuid!.leaf, row.cpuid!.subleaf, row.cpuid!.register, row.bit),
        )
      : undefined;
    const spelled = byName.get(row.cpuinfo) ?? byName.get(row.cpuinfo.replace(/_/g, '-'));
    if (hit) {
      hit.linux = row.cpuinfo;
      if (!hit.description) hit.description = row.description;
    }
    linuxFlags.push({
      name: row.cpuinfo,
      kind: hit ? 'cpuid' : row.cpuid ? 'unknown-bit' : 'synthetic',
      feature: hit?.name ?? null,
      falseFriend: !hit && spelled ? spelled.name : null,
      description: row.description,
    });
  }
  for (const extra of json('linux-extra.json').flags as LinuxFlag[]) {
    if (linuxFlags.some((l) => l.name === extra.name)) continue;
    if (extra.feature && !byName.has(extra.feature))
      throw new Error(`linux-extra.json: ${extra.name} names unknown feature ${extra.feature}`);
    linuxFlags.push(extra);
    const f = extra.feature ? byName.get(extra.feature)! : undefined;
    if (f && !f.linux && extra.name.replace(/_/g, '-') === f.name) f.linux = extra.name;
  }
  linuxFlags.sort((a, b) => a.name.localeCompare(b.name));

  // --- classification
  const rules: Array<[Category, RegExp]> = categories.rules.map(([c, re]: [Category, string]) => [
    c,
    new RegExp(`^(?:${re})$`),
  ]);
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
    f.blocksMigration = f.name === 'invtsc';
    if (!f.description) {
      f.description = f.cpuid
        ? `CPUID ${hex(f.cpuid.leaf)}${f.cpuid.subleaf !== null ? `.${f.cpuid.subleaf}` : ''} ${f.cpuid.register.toUpperCase()}[${f.cpuid.bit}]`
        : f.msr
          ? `MSR ${hex(f.msr.index)} bit ${f.msr.bit}`
          : '';
    }
  }

  // --- what KVM offers, per Linux release, from the kernel sources (needs each feature's CPUID bit and vendor)
  const kvmOffer = buildKvmOffer(join(reference, 'linux-kvm'), features, join(here, 'kvm-offer/curated.json'));
  for (const f of features) f.kvm = kvmTreatment(f, kvmOffer.data);

  // --- models: QEMU's own expansions (every snapshot), then libvirt's definitions of newer ones
  const models: Model[] = [];
  const lvByName = new Map(lvModels.map((m) => [m.name, m]));
  const kvmRules: KvmRules = { ...kvmFacts, svmDependents: svmDependents(features) };
  const kvmExpansionOf = kvmExpansions(snap, lvByName, kvmRules);
  const aliasesOf = (versioned: string) =>
    snap.definitions
      .filter((d) => d['alias-of'] === versioned)
      .map((d) => d.name)
      .sort();
  for (const [name, m] of Object.entries(snap.models)) {
    const family = name.replace(/-v\d+$/, '');
    models.push({
      name,
      aliases: aliasesOf(name),
      vendor: GENERIC_MODELS.has(family) ? null : (m.vendor as ModelVendor),
      family: m.family,
      model: m.model,
      stepping: m.stepping,
      modelId: m.modelId,
      features: m.tcg,
      kvmFeatures: kvmExpansionOf.get(name)!,
      qemu: releaseOf(name, snap.modelRelease[name], modelReleases, 'model-releases.json'),
      source: `qemu-${snap.modelRelease[name]}` as Model['source'],
      verified: true,
    } as Model);
  }
  const definitionOf = (m: LibvirtModel): { features: string[]; base: LibvirtModel } => {
    let cur = m;
    while (cur.features.length === 0 && cur.parent) cur = lvByName.get(cur.parent)!;
    return { features: cur.features.map((n) => lvToCanon.get(n) ?? n.replace(/_/g, '-')), base: cur };
  };
  const derivation: string[] = [];
  for (const lm of lvModels) {
    const own = snap.models[lm.name];
    if (own) {
      // cross-check: does libvirt's definition, with QEMU's accelerator defaults applied, give QEMU's expansion?
      const def = definitionOf(lm).features;
      const tcg = deriveTcg(def, kvmFacts);
      const diff = symDiff(tcg, own.tcg);
      if (diff.length) derivation.push(`${lm.name}: ${diff.join(' ')}`);
      continue;
    }
    const since = modelReleases[lm.name];
    if (!since || !/-v\d+$/.test(lm.name)) continue;
    const { features: def, base } = definitionOf(lm);
    for (const f of def) if (!byName.has(f)) throw new Error(`model ${lm.name} uses unknown feature ${f}`);
    const unversioned = lm.name.replace(/-v\d+$/, '');
    models.push({
      name: lm.name,
      aliases: lm.name.endsWith('-v1') && lvByName.has(unversioned) ? [unversioned] : [],
      vendor: (base.vendor as ModelVendor) ?? null,
      family: base.family,
      model: base.model,
      stepping: null,
      modelId: null,
      features: deriveTcg(def, kvmFacts),
      kvmFeatures: deriveKvm(def, kvmRules),
      qemu: since,
      source: 'libvirt-cpu-map',
      verified: false,
    } as Model);
  }
  for (const [name, extra] of Object.entries(proxmoxModels)) {
    if (name.startsWith('$')) continue;
    const base = models.find((m) => m.name === 'qemu64-v1')!;
    models.push({
      name,
      aliases: [],
      vendor: null,
      family: base.family,
      model: base.model,
      stepping: base.stepping,
      modelId: base.modelId,
      features: [...new Set([...base.features, ...extra])].sort(),
      kvmFeatures: [...new Set([...base.kvmFeatures, ...extra])].sort(),
      qemu: qemuShort,
      source: 'proxmox',
      verified: true,
      abstract: { base: 'qemu64-v1', flags: extra },
    } as Model);
  }
  models.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));

  // first QEMU release of names newer than the oldest snapshot: curated, else the first model that needs
  // them (a model's definition names them, so they exist in its release), else the first snapshot with them
  for (const f of features) {
    if (f.qemu === qemuShort) continue;
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

  const { $comment: _c, ...kvmData } = kvmFacts;
  const out = (name: string, data: unknown) =>
    writeFileSync(join(root, 'data', name), JSON.stringify(data, null, 1) + '\n');
  out('features.json', features);
  out('models.json', models);
  out('linux-flags.json', linuxFlags);
  out('kvm.json', kvmData);
  out('kvm-offer.json', kvmOffer.data);
  console.log(summarize(kvmOffer));
  out(
    'qemu-changes.json',
    checkQemuChanges(json('qemu-changes.json'), (f) => byName.has(f)),
  );
  console.log(
    `features ${features.length} (${snap.flags.length} in QEMU ${snap.releases.join(' / ')}), models ${models.length} (${Object.keys(snap.models).length} from QEMU), linux flags ${linuxFlags.length}`,
  );
  console.log(
    `no CPUID/MSR bit: ${features
      .filter((f) => !f.cpuid && !f.msr)
      .map((f) => f.name)
      .join(' ')}`,
  );
  if (derivation.length)
    console.log(
      `libvirt definitions that differ from QEMU's own expansion after applying accelerator defaults:\n  ${derivation.join('\n  ')}`,
    );
}

function symDiff(a: string[], b: string[]): string[] {
  const sa = new Set(a),
    sb = new Set(b);
  return [...a.filter((x) => !sb.has(x)).map((x) => `+${x}`), ...b.filter((x) => !sa.has(x)).map((x) => `-${x}`)];
}

/**
 * A libvirt model definition as QEMU would expand it: QEMU sets the hypervisor bit in every
 * model, and drops vmx-* controls when vmx itself is off (feature dependencies).
 */
function qemuDefinition(def: string[]): Set<string> {
  const s = new Set(def);
  s.add('hypervisor');
  if (!s.has('vmx')) for (const f of [...s]) if (f.startsWith('vmx-')) s.delete(f);
  return s;
}

/** QEMU's TCG defaults switch vme off for every model (tcg_default_props). */
function deriveTcg(def: string[], _kvm: unknown): string[] {
  return [...qemuDefinition(def)].filter((f) => f !== 'vme').sort();
}

/** QEMU's KVM defaults and the SVM dependency (kvm-expansion.ts) applied to a libvirt definition. */
function deriveKvm(def: string[], kvm: KvmRules): string[] {
  const s = qemuDefinition(def);
  for (const f of kvm.accelDefaultsOff) s.delete(f);
  for (const f of kvm.accelDefaultsOn) s.add(f);
  if (!s.has('svm')) for (const f of kvm.svmDependents) s.delete(f);
  return [...s].sort();
}

await main();
