/** /proc/cpuinfo: one processor stanza or a whole dump. */
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import { guestViewFromLinux, type GuestView } from './guest-view.js';

type Stanza = Map<string, string>;

/** The keys any reader uses; other lines (power management, bogomips, ...) are skipped unread. */
const KEYS = new Set(['processor', 'vendor_id', 'cpu family', 'model', 'model name', 'stepping', 'microcode', 'flags', 'bugs', 'address sizes']);

function stanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza | null = null;
  let pos = 0;
  let nextColon = -1;
  // A hand-rolled line scanner: dumps of 100k hosts are read in one go, and a regex per line
  // once took quadratic time on long lines without a colon
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    // the next colon is searched again only once passed: lines without one must not rescan the text
    if (nextColon < pos) {
      const at = text.indexOf(':', pos);
      nextColon = at < 0 ? Infinity : at;
    }
    const colon = nextColon === Infinity ? -1 : nextColon;
    if (colon < 0 || colon > end || colon === pos || text.charCodeAt(pos) === 9 /* tab */) {
      if (!text.slice(pos, end).trim()) cur = null;
    } else {
      const key = text.slice(pos, colon).trim();
      if (key === 'processor' || !cur) {
        cur = new Map();
        out.push(cur);
      }
      if (KEYS.has(key)) cur.set(key, text.slice(colon + 1, end).trim());
    }
    pos = end + 1;
  }
  return out.filter((s) => s.has('flags') || s.has('vendor_id'));
}

export function looksLikeCpuinfo(text: string): boolean {
  return /^processor\s*:\s*\d+/m.test(text) && /^flags\s*:/m.test(text);
}

const FLAG_RE = /^[a-z0-9_.]+$/;

/**
 * Hosts of one model share their flag line, so fleets of thousands need only a handful of guest
 * views; sharing the result also lets the engine group identical hosts. Results are read-only.
 */
interface FlagsView {
  view: GuestView;
  /** Notes about the flag lines themselves (disagreeing processors, malformed flags) */
  notes: string[];
}
/** flags line -> (vendor|kernel|bugs) -> view; the long flags line is the outer key so it is not copied */
const viewCache = new Map<string, Map<string, FlagsView>>();
const VIEW_CACHE_MAX = 4096;

function viewOfFlagLines(lines: string[], vendor: string, bugs: string[] | null, kernel: string | null): FlagsView {
  const notes: string[] = [];
  const flagSets = lines.map((l) => l.split(/\s+/).filter(Boolean));
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
  return { view: guestViewFromLinux({ vendor, flags: [...common].filter((f) => FLAG_RE.test(f)), bugs, kernel }), notes };
}

function cachedView(lines: string[], vendor: string, bugsLine: string | undefined, kernel: string | null): FlagsView {
  const bugs = bugsLine !== undefined ? bugsLine.split(/\s+/).filter(Boolean) : null;
  // Only dumps whose processors all print the same line are cached (the key is that raw line)
  if (lines.some((l) => l !== lines[0])) return viewOfFlagLines(lines, vendor, bugs, kernel);
  const context = `${vendor}|${kernel ?? ''}|${bugsLine ?? '-'}`;
  let byContext = viewCache.get(lines[0]);
  let hit = byContext?.get(context);
  if (!hit) {
    hit = viewOfFlagLines([lines[0]], vendor, bugs, kernel);
    if (viewCache.size >= VIEW_CACHE_MAX) viewCache.clear();
    if (!byContext) viewCache.set(lines[0], (byContext = new Map()));
    byContext.set(context, hit);
  }
  return hit;
}

export function readCpuinfo(text: string, where: string, name: string, host: { kernel?: string | null } = {}): HostProfile {
  const cpus = stanzas(text);
  if (!cpus.length) throw new InputError(where, 'expected /proc/cpuinfo with "processor" and "flags" lines');
  const first = cpus[0];
  const lines = cpus.filter((c) => c.has('flags')).map((c) => c.get('flags')!);
  if (!lines.length) throw new InputError(where, 'no "flags" line in any processor stanza');
  const vendor = normalizeVendor(first.get('vendor_id') ?? '');
  const { view, notes: flagNotes } = cachedView(lines, vendor, first.get('bugs'), host.kernel ?? null);
  const notes = [...flagNotes];
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
