/**
 * How a QEMU model and feature are spelled for libvirt (and for Nova and KubeVirt, which hand
 * both to libvirt unchanged).
 */
import { allModels, resolveFeature, resolveModel, type Model } from '../catalog/index.js';
import {
  libvirtDefinitionOf,
  libvirtDomainFeature,
  libvirtRelease,
  libvirtVersionedModelsSince,
} from '../catalog/libvirt.js';
import type { LibvirtDomainFeature } from '../catalog/types.js';
import { compareVersions } from '../version.js';

export interface LibvirtModelName {
  name: string;
  /** True when only libvirt releases with versioned models (the -vN files of cpu_map) know it */
  versioned: boolean;
}

const VERSIONED = /-v\d+$/;

/**
 * libvirt before its versioned cpu_map files (Debian 12's 9.0 has none) knows only QEMU's
 * unversioned and named-alias spellings, so those come first. A named alias (Broadwell-noTSX-IBRS)
 * always means the same version; the plain unversioned name is an alias of -v1.
 */
export function libvirtModelName(model: Model): LibvirtModelName {
  const unversioned = model.aliases.filter((a) => !VERSIONED.test(a));
  const named = unversioned.find((a) => a !== model.name.replace(VERSIONED, ''));
  const plain = model.name.endsWith('-v1')
    ? unversioned.find((a) => a === model.name.replace(VERSIONED, ''))
    : undefined;
  const pick = named ?? plain;
  if (pick) return { name: pick, versioned: false };
  return { name: model.name, versioned: VERSIONED.test(model.name) };
}

/** A KVM paravirtual bit libvirt sets through a domain <features> element (data/libvirt.json domainFeatures). */
export type DomainFeature = LibvirtDomainFeature;

export type LibvirtSpelling =
  { kind: 'cpu'; name: string } | { kind: 'domain'; feature: DomainFeature } | { kind: 'none' };

export function libvirtSpelling(feature: string): LibvirtSpelling {
  const f = resolveFeature(feature);
  if (f?.libvirt) return { kind: 'cpu', name: f.libvirt };
  const d = libvirtDomainFeature(feature);
  return d ? { kind: 'domain', feature: d } : { kind: 'none' };
}

/** The libvirt release an output is for by default (`--libvirt X.Y`): Debian 12's 9.0. */
export const DEFAULT_LIBVIRT = '9.0';

/** libvirt 10.10 added QEMU's versioned model names (EPYC-v3 ...) to its CPU map (data/libvirt.json, libvirt NEWS). */
export function hasVersionedModels(version: string): boolean {
  return compareVersions(version, libvirtVersionedModelsSince()) >= 0;
}

/** Debian 12's libvirt: the floor of every release (data/libvirt.json) */
const LIBVIRT_9_0 = libvirtRelease(DEFAULT_LIBVIRT)!;
const LIBVIRT_9_0_FEATURE_SET = new Set(LIBVIRT_9_0.features);

/**
 * Model spellings libvirt `version` accepts. libvirt never drops a model, so 9.0's map is a safe floor
 * for every later release; from 10.10 QEMU's versioned names come on top.
 */
export function libvirtModelNames(version: string): string[] {
  const names = [...LIBVIRT_9_0.models];
  if (hasVersionedModels(version)) names.push(...allModels().map((m) => m.name));
  return names;
}

/**
 * Features libvirt's own definition of a model lists. libvirt compares them with the host before it
 * starts a custom-mode guest, so those the promise leaves out are turned off explicitly. Versioned
 * names (10.10+) mirror QEMU's definitions, so QEMU's accelerator-neutral list stands in for them.
 */
export function libvirtDefinition(name: string): string[] {
  if (LIBVIRT_9_0.models.includes(name)) return [...(libvirtDefinitionOf(name) ?? [])];
  return VERSIONED.test(name) ? (resolveModel(name)?.features ?? []) : [];
}

/** libvirt's spelling of a feature, when `version` knows it (9.0's feature map before 10.10). */
export function libvirtSpellingFor(feature: string, version: string): LibvirtSpelling {
  const s = libvirtSpelling(feature);
  if (s.kind === 'cpu' && !hasVersionedModels(version) && !LIBVIRT_9_0_FEATURE_SET.has(s.name)) return { kind: 'none' };
  return s;
}
