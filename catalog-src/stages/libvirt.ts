/**
 * Stage libvirt: libvirt's x86 CPU map from the reference folder (libvirt-cpu_map/, a copy of libvirt's
 * src/cpu_map at the commits its SOURCE.md lists) and the releases that matter (catalog-src/libvirt-*.json):
 * feature bits and names, model definitions, and what libvirt's definitions lack against QEMU's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LibvirtData, LibvirtRelease, Model } from '../../src/catalog/types.js';
import { curated, facts } from '../curated.js';
import type { FeatureSet } from '../features.js';
import {
  libvirtDefinitions,
  readLibvirtFeatures,
  readLibvirtModels,
  type LibvirtFeature,
  type LibvirtModel,
} from '../libvirt-map.js';

export interface LibvirtSlice {
  features: LibvirtFeature[];
  models: LibvirtModel[];
  byName: Map<string, LibvirtModel>;
  /** Each model's full definition in libvirt's spelling (parents included, removed='yes' too) */
  definitions: Map<string, string[]>;
  /** The same without removed='yes' features: what libvirt itself claims for the model */
  claimed: Map<string, string[]>;
  /** The reference map as a release: its model and feature names, named by its index.xml commit */
  newest: LibvirtRelease;
}

/** The releases outputs target that the reference map is not (Debian 12's 9.0), curated with their source. */
const RELEASE_FILES = ['libvirt-9.0.json'];

export function libvirtStage(reference: string): LibvirtSlice {
  const dir = join(reference, 'libvirt-cpu_map');
  const models = readLibvirtModels(dir);
  const features = readLibvirtFeatures(dir);
  const commit = /`index\.xml` is the version at commit `([0-9a-f]{40})`/.exec(
    readFileSync(join(dir, 'SOURCE.md'), 'utf8'),
  )?.[1];
  if (!commit) throw new Error(`${dir}/SOURCE.md does not name the commit of index.xml`);
  return {
    features,
    models,
    byName: new Map(models.map((m) => [m.name, m])),
    definitions: libvirtDefinitions(models),
    claimed: libvirtDefinitions(models, false),
    newest: {
      name: `libvirt@${commit.slice(0, 12)}`,
      source: `libvirt/libvirt src/cpu_map at ${commit} (index.xml; each file at the commit libvirt-cpu_map/SOURCE.md lists)`,
      models: models.map((m) => m.name),
      features: features.map((f) => f.name),
    },
  };
}

/**
 * Per libvirt model, the features QEMU's model of that name enables under KVM that libvirt's own
 * definition lacks, leaving out those every KVM host has (`everywhere`): libvirt writes a host's CPU as
 * its model plus/minus features, so when QEMU's model stands in for libvirt's these are not claimed.
 * `claimed` is in QEMU's spelling, without removed='yes' features (claiming less is the safe side).
 */
export function libvirtGaps(
  claimed: Map<string, string[]>,
  qemuKvmFeatures: (model: string) => readonly string[] | undefined,
  everywhere: ReadonlySet<string>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of [...claimed.keys()].sort()) {
    const q = qemuKvmFeatures(name);
    if (!q) continue;
    const lv = new Set(claimed.get(name));
    const gap = q.filter((f) => !lv.has(f) && !everywhere.has(f)).sort();
    if (gap.length) out[name] = gap;
  }
  return out;
}

/** catalog-src/libvirt-domain.json, its features checked against the catalog's QEMU models. */
function domainSpelling(
  isFeature: (name: string) => boolean,
): Pick<LibvirtData, 'versionedModelsSince' | 'domainFeatures'> {
  const file = facts(curated<Pick<LibvirtData, 'versionedModelsSince' | 'domainFeatures'>>('libvirt-domain.json'));
  for (const f of Object.keys(file.domainFeatures.features))
    if (!isFeature(f)) throw new Error(`libvirt-domain.json: unknown feature ${f}`);
  return file;
}

/** data/libvirt.json: the releases, every model's definition in QEMU's spelling, the gaps. */
export function libvirtCatalog(
  slice: LibvirtSlice,
  { fromLibvirt: canonical, byName }: FeatureSet,
  models: readonly Model[],
  everywhere: ReadonlySet<string>,
): LibvirtData {
  const releases = RELEASE_FILES.map((file) => {
    const r = facts(curated<LibvirtRelease & { release: string }>(file));
    const unknownModels = r.models.filter((m) => !slice.byName.has(m));
    const unknownFeatures = r.features.filter((f) => !slice.newest.features.includes(f));
    if (unknownModels.length || unknownFeatures.length)
      throw new Error(`${file}: not in the reference map: ${[...unknownModels, ...unknownFeatures].join(' ')}`);
    return { name: r.release, source: r.source, models: r.models, features: [...r.features].sort() };
  });
  const inQemuSpelling = (defs: Map<string, string[]>) =>
    new Map([...defs].map(([name, def]) => [name, [...new Set(def.map(canonical))].sort()]));
  // QEMU's model of a libvirt name: by name or alias, case-insensitively as libvirt falls back to
  const qemuModel = new Map<string, Model>();
  for (const m of models) for (const n of [m.name, ...m.aliases]) if (!qemuModel.has(n)) qemuModel.set(n, m);
  for (const [n, m] of [...qemuModel]) if (!qemuModel.has(n.toLowerCase())) qemuModel.set(n.toLowerCase(), m);
  const kvmOf = (name: string) => (qemuModel.get(name) ?? qemuModel.get(name.toLowerCase()))?.kvmFeatures;
  const definitions = inQemuSpelling(slice.definitions);
  return {
    $comment: `Generated by catalog-src/stages/libvirt.ts from libvirt's x86 CPU map (${slice.newest.source}) and catalog-src/libvirt-*.json; do not edit. definitions: each model as libvirt defines it (its parent's features first, removed='yes' ones included, added='yes' ones not), in QEMU's spelling; libvirt never changes a released model, so one definition serves every release that has the name. gaps: features QEMU's model of the same name enables under KVM that libvirt's definition (without removed='yes') lacks, less those every KVM host has.`,
    ...domainSpelling((f) => byName.has(f)),
    releases: [...releases, slice.newest],
    definitions: Object.fromEntries([...definitions].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))),
    gaps: libvirtGaps(inQemuSpelling(slice.claimed), kvmOf, everywhere),
  };
}
