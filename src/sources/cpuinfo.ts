/** /proc/cpuinfo: one processor stanza or a whole dump. */
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import { guestViewFromLinux } from './guest-view.js';

type Stanza = Map<string, string>;

function stanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza | null = null;
  for (const line of text.split('\n')) {
    // indexOf, not a regex: a backtracking pattern took quadratic time on long lines without a colon
    const colon = line.indexOf(':');
    if (colon <= 0 || line[0] === '\t') {
      if (!line.trim()) cur = null;
      continue;
    }
    const key = line.slice(0, colon).trim();
    if (key === 'processor' || !cur) {
      cur = new Map();
      out.push(cur);
    }
    cur.set(key, line.slice(colon + 1).trim());
  }
  return out.filter((s) => s.has('flags') || s.has('vendor_id'));
}

export function looksLikeCpuinfo(text: string): boolean {
  return /^processor\s*:\s*\d+/m.test(text) && /^flags\s*:/m.test(text);
}

const FLAG_RE = /^[a-z0-9_.]+$/;

export function readCpuinfo(text: string, where: string, name: string, host: { kernel?: string | null } = {}): HostProfile {
  const cpus = stanzas(text);
  if (!cpus.length) throw new InputError(where, 'expected /proc/cpuinfo with "processor" and "flags" lines');
  const first = cpus[0];
  const notes: string[] = [];
  const flagSets = cpus.filter((c) => c.has('flags')).map((c) => c.get('flags')!.split(/\s+/).filter(Boolean));
  if (!flagSets.length) throw new InputError(where, 'no "flags" line in any processor stanza');
  // Processors normally agree; when they don't (hybrid cores, a mid-dump microcode change), a guest
  // may land on any of them, so only the flags all share count.
  let common = new Set(flagSets[0]);
  let disagree = false;
  for (const fs of flagSets.slice(1)) {
    const s = new Set(fs);
    if (s.size !== common.size || [...common].some((f) => !s.has(f))) disagree = true;
    common = new Set([...common].filter((f) => s.has(f)));
  }
  if (disagree) notes.push(`processors disagree on flags; using the ${common.size} flags all ${flagSets.length} share`);
  const malformed = [...common].filter((f) => !FLAG_RE.test(f));
  if (malformed.length) notes.push(`ignored malformed flag(s) ${malformed.join(' ')} (a truncated dump?)`);
  const vendor = normalizeVendor(first.get('vendor_id') ?? '');
  const bugs = first.has('bugs') ? first.get('bugs')!.split(/\s+/).filter(Boolean) : null;
  const view = guestViewFromLinux({ vendor, flags: [...common].filter((f) => FLAG_RE.test(f)), bugs, kernel: host.kernel });
  if (view.unknown.length) notes.push(`flags the catalog does not know: ${view.unknown.join(' ')}`);
  const bits = /(\d+) bits physical/.exec((first.get('address sizes') ?? '').slice(0, 100)); // bounded: \d+ backtracks
  const num = (k: string) => (first.has(k) && /^\d+$/.test(first.get(k)!) ? Number(first.get(k)) : null);
  return newProfile({
    name,
    vendor,
    family: num('cpu family'),
    model: num('model'),
    stepping: num('stepping'),
    modelName: first.get('model name') ?? null,
    microcode: first.get('microcode') ?? null,
    features: view.features,
    exact: false,
    source: 'cpuinfo',
    physBits: bits ? Number(bits[1]) : null,
    kernel: host.kernel ?? null,
    notes: [...notes, ...view.notes, 'derived from /proc/cpuinfo: approximate (KVM may offer a little more or less)'],
  });
}
