/**
 * Model version names. A model's first version is its plain name (`web`); every later one is
 * `NAME-K` with K = 2, 3, ... (`web-2`, `web-3`). The name is what survives Proxmox's own rewrites of
 * cpu-models.conf (the API and GUI writer keeps no comments), so the version lives in it.
 *
 * Every name stays a valid cpu-models.conf id for the CRUD API too: pve-configid, at most 40
 * characters (formats/pve-cpu-models.ts GENERATED_MODEL_NAME_RE); a long base is shortened to make
 * room for the suffix, so `versionOf` recognizes a version by rebuilding its name, not by a prefix.
 * Pure.
 */
import { GENERATED_MODEL_NAME_RE } from '../../formats/pve-cpu-models.js';

export const MAX_MODEL_NAME = 40;

/** The name of version `k` (1 = the plain name) of the model family `base`. */
export function versionName(base: string, k: number): string {
  if (!Number.isInteger(k) || k < 1) throw new Error(`model version must be 1 or more, got ${k}`);
  if (k === 1) return base.slice(0, MAX_MODEL_NAME);
  const suffix = `-${k}`;
  return base.slice(0, MAX_MODEL_NAME - suffix.length) + suffix;
}

/** Which version of family `base` the name `name` is, or null when it is none of them. */
export function versionOf(name: string, base: string): number | null {
  if (name === versionName(base, 1)) return 1;
  const m = /-([1-9]\d{0,5})$/.exec(name);
  if (!m) return null;
  const k = Number(m[1]);
  return k >= 2 && versionName(base, k) === name ? k : null;
}

/** Names among `names` that are versions of `base`, oldest first. */
export function familyMembers(base: string, names: Iterable<string>): Array<{ name: string; version: number }> {
  const out: Array<{ name: string; version: number }> = [];
  for (const name of names) {
    const version = versionOf(name, base);
    if (version !== null) out.push({ name, version });
  }
  return out.sort((a, b) => a.version - b.version);
}

/**
 * The family a name belongs to, given the names that exist: `web-3` is version 3 of `web` when `web`
 * (or another version of it) is known too, or always when the name itself is one of ours. A name
 * like `db-2` with no `db` anywhere is read as its own family: a user may name a model so.
 */
export function familyOf(name: string, known: Iterable<string>): { base: string; version: number } {
  const all = new Set(known);
  const m = /^(.*)-([1-9]\d{0,5})$/.exec(name);
  if (m && Number(m[2]) >= 2) {
    const base = m[1];
    const siblings = [...all].filter((n) => n !== name && versionOf(n, base) !== null);
    if (siblings.length && versionOf(name, base) !== null) return { base, version: Number(m[2]) };
  }
  return { base: name, version: 1 };
}

/** The next version name of `base` that none of `taken` (names in the file or ever recorded) holds. */
export function nextVersionName(base: string, taken: Iterable<string>): { name: string; version: number } {
  const members = familyMembers(base, taken);
  const version = Math.max(1, ...members.map((m) => m.version)) + 1;
  const name = versionName(base, version);
  if (!GENERATED_MODEL_NAME_RE.test(name)) throw new Error(`cannot make a version name from ${JSON.stringify(base)}`);
  return { name, version };
}
