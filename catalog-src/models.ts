/**
 * The catalog's models: QEMU's own expansions (every snapshot), libvirt's definitions of models newer
 * than the newest snapshot (unverified), and Proxmox's built-in types (a QEMU model plus flags).
 */
import type { Model, ModelVendor } from '../src/catalog/types.js';
import { curated } from './curated.js';
import type { FeatureSet } from './features.js';
import { kvmExpansions, svmDependents, type KvmRules } from './kvm-expansion.js';
import type { LibvirtModel } from './libvirt-map.js';
import { firstRelease } from './qemu-releases.js';
import type { LibvirtSlice } from './stages/libvirt.js';
import type { KvmFacts } from './stages/linux.js';
import type { QemuSlice } from './stages/qemu.js';

const GENERIC_MODELS = new Set(['qemu32', 'qemu64', 'kvm32', 'kvm64']);

/** A built-in type of a management layer: a QEMU model plus flags (Proxmox's x86-64-v2-AES ...). */
export interface BuiltinModel {
  name: string;
  /** The QEMU model it runs, by any name the model has (qemu64) */
  base: string;
  flags: string[];
  source: Model['source'];
}

export interface ModelSet {
  models: Model[];
  /** libvirt definitions that differ from QEMU's own expansion of the same model, for the generator's output */
  derivation: string[];
}

export function assembleModels(
  { snap, oldest }: QemuSlice,
  libvirt: LibvirtSlice,
  { features, byName, fromLibvirt }: FeatureSet,
  kvmFacts: KvmFacts,
  builtins: BuiltinModel[],
): ModelSet {
  const modelReleases: Record<string, string> = curated('model-releases.json');
  const models: Model[] = [];
  const kvmRules: KvmRules = { ...kvmFacts, svmDependents: svmDependents(features) };
  const kvmExpansionOf = kvmExpansions(snap, libvirt.definitions, kvmRules);
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
      qemu: firstRelease(name, snap.modelRelease[name], modelReleases[name], snap.releases, 'model-releases.json'),
      source: `qemu-${snap.modelRelease[name]}` as Model['source'],
      verified: true,
    } as Model);
  }
  // The model whose file holds the definition (versioned libvirt models name their parent only)
  const baseOf = (m: LibvirtModel): LibvirtModel => {
    let cur = m;
    while (cur.features.length === 0 && cur.parent) cur = libvirt.byName.get(cur.parent)!;
    return cur;
  };
  const canonical = (m: LibvirtModel) => libvirt.definitions.get(m.name)!.map(fromLibvirt);
  const derivation: string[] = [];
  for (const lm of libvirt.models) {
    const own = snap.models[lm.name];
    if (own) {
      // cross-check: does libvirt's definition, with QEMU's accelerator defaults applied, give QEMU's expansion?
      const diff = symDiff(deriveTcg(canonical(lm)), own.tcg);
      if (diff.length) derivation.push(`${lm.name}: ${diff.join(' ')}`);
      continue;
    }
    const since = modelReleases[lm.name];
    if (!since || !/-v\d+$/.test(lm.name)) continue;
    const def = canonical(lm);
    const base = baseOf(lm);
    for (const f of def) if (!byName.has(f)) throw new Error(`model ${lm.name} uses unknown feature ${f}`);
    const unversioned = lm.name.replace(/-v\d+$/, '');
    models.push({
      name: lm.name,
      aliases: lm.name.endsWith('-v1') && libvirt.byName.has(unversioned) ? [unversioned] : [],
      vendor: (base.vendor as ModelVendor) ?? null,
      family: base.family,
      model: base.model,
      stepping: null,
      modelId: null,
      features: deriveTcg(def),
      kvmFeatures: deriveKvm(def, kvmRules),
      qemu: since,
      source: 'libvirt-cpu-map',
      verified: false,
    } as Model);
  }
  for (const b of builtins) {
    const base = models.find((m) => m.name === b.base || m.aliases.includes(b.base));
    if (!base) throw new Error(`built-in model ${b.name}: unknown base ${b.base}`);
    for (const f of b.flags) if (!byName.has(f)) throw new Error(`built-in model ${b.name}: unknown feature ${f}`);
    models.push({
      name: b.name,
      aliases: [],
      vendor: null,
      family: base.family,
      model: base.model,
      stepping: base.stepping,
      modelId: base.modelId,
      features: [...new Set([...base.features, ...b.flags])].sort(),
      kvmFeatures: [...new Set([...base.kvmFeatures, ...b.flags])].sort(),
      qemu: oldest,
      source: b.source,
      verified: true,
      abstract: { base: base.name, flags: b.flags },
    } as Model);
  }
  models.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { models, derivation };
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
function deriveTcg(def: string[]): string[] {
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
