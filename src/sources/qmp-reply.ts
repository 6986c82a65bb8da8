/**
 * QMP replies saved as JSON: a query-cpu-model-expansion reply for model "host" (type full, or type
 * static: model "base" with every property), alone or in a transcript with query-cpu-definitions and
 * query-version. This is QEMU's own answer of what a guest can get on the host, so the profile is exact.
 */
import { resolveFeature } from '../catalog/index.js';
import { InputError } from '../errors.js';
import { qmpVersionString } from '../version.js';
import type { HostProfile } from '../profile/host-profile.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import { looksLikeJson, parseJsonDocuments } from './json-docs.js';
import type { Reader } from './reader.js';

interface Expansion {
  model: { name: string; props?: Record<string, unknown> };
}
interface Definition {
  name: string;
  'unavailable-features'?: string[];
  'alias-of'?: string;
}

const unwrap = (d: unknown): unknown =>
  d && typeof d === 'object' && 'return' in d ? (d as { return: unknown }).return : d;

function isExpansion(d: unknown): d is Expansion {
  const r = unwrap(d) as Expansion | undefined;
  return !!r && typeof r === 'object' && !!r.model && typeof r.model === 'object' && typeof r.model.name === 'string';
}

function isDefinitions(d: unknown): d is Definition[] {
  const r = unwrap(d);
  return (
    Array.isArray(r) &&
    r.length > 0 &&
    r.every((x) => x && typeof x === 'object' && typeof x.name === 'string' && 'typename' in x)
  );
}

export function qmpVersion(docs: unknown[]): string | null {
  for (const d of docs) {
    const r = unwrap(d) as { qemu?: { major: number; minor: number; micro: number } } | undefined;
    if (r && typeof r === 'object' && r.qemu && typeof r.qemu.major === 'number') return qmpVersionString(r.qemu);
    const greeting = (d as { QMP?: { version?: { qemu?: { major: number; minor: number; micro: number } } } })?.QMP
      ?.version?.qemu;
    if (greeting) return qmpVersionString(greeting);
  }
  return null;
}

/** Canonical features from the "true" props of an expansion (folds aliases, drops non-feature props). */
export function featuresFromProps(props: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(props)) {
    if (v !== true) continue;
    const f = resolveFeature(k);
    if (f) out.add(f.name);
  }
  return [...out].sort();
}

export function profileFromQmp(
  docs: unknown[],
  where: string,
  name: string,
  source: HostProfile['source'] = 'qmp-expansion',
): HostProfile {
  const exp = docs.map(unwrap).find((d) => isExpansion(d)) as Expansion | undefined;
  if (!exp) throw new InputError(where, 'expected a QMP query-cpu-model-expansion reply (model "host")');
  // A static expansion of "host" answers with model "base" and every property set true or false:
  // what libvirt caches for each host (qemu_capabilities.c virQEMUCapsProbeQMPHostCPU, libvirt 9.0)
  const isStatic = exp.model.name === 'base';
  if (!['host', 'max'].includes(exp.model.name) && !isStatic)
    throw new InputError(
      where,
      `the expansion is of model "${exp.model.name}"; a host profile needs the expansion of model "host" (type "full", or "static", which answers with model "base")`,
    );
  const props = exp.model.props ?? {};
  const defs = docs.map(unwrap).find(isDefinitions) as Definition[] | undefined;
  const str = (k: string) => (typeof props[k] === 'string' ? (props[k] as string) : null);
  const num = (k: string) => (typeof props[k] === 'number' ? (props[k] as number) : null);
  const profile = newProfile({
    name,
    vendor: normalizeVendor(str('vendor') ?? ''),
    family: num('family'),
    model: num('model'),
    stepping: num('stepping'),
    modelName: str('model-id'),
    features: featuresFromProps(props),
    exact: true,
    source,
    qemu: qmpVersion(docs),
    ...(isStatic ? { notes: ['static expansion of model host (model "base" with every property)'] } : {}),
  });
  if (defs) {
    profile.runnableModels = defs
      .filter((d) => !d['alias-of'] && (d['unavailable-features'] ?? []).length === 0)
      .map((d) => d.name)
      .sort();
    profile.unavailable = Object.fromEntries(
      defs.filter((d) => !d['alias-of']).map((d) => [d.name, d['unavailable-features'] ?? []]),
    );
  }
  return profile;
}

export const qmpReader: Reader = {
  format: 'qmp-expansion',
  describe:
    'QMP query-cpu-model-expansion reply for model "host", full or static (optionally with query-cpu-definitions)',
  detect: (text) => looksLikeJson(text) && /"model"\s*:\s*\{/.test(text) && /"props"/.test(text),
  read(text, where, name) {
    const docs = parseJsonDocuments(text, where);
    return [profileFromQmp(docs, where, name, docs.length > 1 ? 'qmp-bundle' : 'qmp-expansion')];
  },
};
