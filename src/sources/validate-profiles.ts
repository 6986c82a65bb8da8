/** The last gate of every reader: what it returns must be a HostProfile the schema accepts. */
import { InputError } from '../errors.js';
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

export function validateProfiles(profiles: HostProfile[], where: string): HostProfile[] {
  for (const p of profiles) {
    for (const [field, value] of Object.entries(p)) {
      const problem = recordProblem(value);
      if (problem) throw new InputError(where, `host data gives an invalid ${field}: ${problem}`);
    }
    const r = HostProfileSchema.safeParse(p);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue.path.map(String).join('.') || 'profile';
      throw new InputError(where, `host data gives an invalid ${field}: ${issue.message}`);
    }
  }
  return profiles;
}
