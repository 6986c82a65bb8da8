/** The last gate of every reader: what it returns must be a HostProfile the schema accepts. */
import * as z from 'zod/mini';
import { InputError } from '../errors.js';
import { isSharedFeatureList } from '../profile/build.js';
import { HostProfileSchema, type HostProfile } from '../profile/host-profile.js';

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A record keyed by host-supplied names (model names, vulnerability names): plain, no reserved key. */
function recordProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return 'a name that replaced its prototype (__proto__)';
  const bad = Object.keys(value).find((k) => RESERVED_KEYS.has(k));
  return bad ? `the reserved name ${JSON.stringify(bad)}` : null;
}

/**
 * Hosts of one CPU variant come out of a reader alike but for their name: the same facts and the
 * same shared, frozen features and notes lists (see sortedFeatures). The schema is run in full once
 * per such shape, remembered by its features list; a profile equal to the remembered one in every
 * other field has only its differing fields checked, each by its own schema. A fleet of 100k hosts
 * then costs a few hundred full checks instead of 100k.
 */
const validLike = new WeakMap<readonly string[], { profile: HostProfile; keys: number }>();
const FIELDS: Record<string, z.ZodMiniType> = HostProfileSchema.def.shape;
/**
 * Values a remembered profile may share by identity: primitives, and frozen lists (the schema's lists
 * hold strings, so a frozen one that passed cannot change). Records are never shared this way.
 */
const unchanging = (v: unknown) => typeof v !== 'object' || v === null || (Array.isArray(v) && Object.isFrozen(v));

/** The schema for a profile whose features list is a shared one: the list is known to hold strings only. */
const WITH_SHARED_FEATURES = z.extend(HostProfileSchema, { features: z.any() });

function fail(where: string, field: string, message: string): never {
  throw new InputError(where, `host data gives an invalid ${field}: ${message}`);
}

/** True when `p` passed as a remembered profile of its shape, its differing fields checked one by one. */
function passesAsLike(p: HostProfile, where: string): boolean {
  const remembered = Array.isArray(p.features) ? validLike.get(p.features) : undefined;
  if (!remembered) return false;
  const like = remembered.profile;
  const keys = Object.keys(p);
  if (keys.length !== remembered.keys) return false;
  const differing: string[] = [];
  for (const k of keys) {
    if (!Object.hasOwn(like, k)) return false;
    const v = (p as Record<string, unknown>)[k];
    if (v === (like as Record<string, unknown>)[k]) {
      if (!unchanging(v)) return false;
    } else if (typeof v === 'object' && v !== null) return false;
    else differing.push(k);
  }
  for (const k of differing) {
    const r = z.safeParse(FIELDS[k], (p as Record<string, unknown>)[k]);
    if (!r.success) {
      const issue = r.error.issues[0];
      fail(where, [k, ...issue.path.map(String)].join('.'), issue.message);
    }
  }
  return true;
}

export function validateProfiles(profiles: HostProfile[], where: string): HostProfile[] {
  for (const p of profiles) {
    if (passesAsLike(p, where)) continue;
    for (const [field, value] of Object.entries(p)) {
      const problem = recordProblem(value);
      if (problem) fail(where, field, problem);
    }
    const r = (isSharedFeatureList(p.features) ? WITH_SHARED_FEATURES : HostProfileSchema).safeParse(p);
    if (!r.success) {
      const issue = r.error.issues[0];
      fail(where, issue.path.map(String).join('.') || 'profile', issue.message);
    }
    if (Object.isFrozen(p.features) && Object.values(p).every(unchanging))
      validLike.set(p.features, { profile: p, keys: Object.keys(p).length });
  }
  return profiles;
}
