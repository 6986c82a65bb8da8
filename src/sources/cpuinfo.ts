/** /proc/cpuinfo: one processor stanza or a whole dump. */
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import { guestViewFromLinux, type GuestView } from './guest-view.js';
import { virtualHost } from './host-kind.js';

type Stanza = Map<string, string>;

/** The keys any reader uses, by first letter; other lines (power management, bogomips, ...) are skipped unread. */
const KEYS_BY_FIRST = new Map<number, string[]>();
for (const k of [
  'processor',
  'vendor_id',
  'cpu family',
  'model name',
  'model',
  'microcode',
  'stepping',
  'flags',
  'bugs',
  'address sizes',
])
  (KEYS_BY_FIRST.get(k.charCodeAt(0)) ?? KEYS_BY_FIRST.set(k.charCodeAt(0), []).get(k.charCodeAt(0))!).push(k);

const SPACE = 32,
  TAB = 9,
  COLON = 58,
  CR = 13;

/** The key at `pos` if it is one we read: whole word, then blanks and a colon on the same line. */
function keyAt(text: string, pos: number, end: number): { key: string; colon: number } | null {
  const candidates = KEYS_BY_FIRST.get(text.charCodeAt(pos));
  if (!candidates) return null;
  for (const key of candidates) {
    if (!text.startsWith(key, pos)) continue;
    let i = pos + key.length;
    while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
    if (text.charCodeAt(i) === COLON) return { key, colon: i };
  }
  return null;
}

function isBlank(text: string, pos: number, end: number): boolean {
  for (let i = pos; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}

/**
 * Processor stanzas with the keys we read. A hand-rolled line scanner: dumps of 100k hosts are read
 * in one go, and a regex per line once took quadratic time on long lines without a colon.
 */
function stanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza | null = null;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (isBlank(text, pos, end)) cur = null;
    else {
      const hit = keyAt(text, pos, end);
      if (hit) {
        if (hit.key === 'processor' || !cur) {
          cur = new Map();
          out.push(cur);
        }
        cur.set(hit.key, text.slice(hit.colon + 1, end).trim());
      }
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
  /** Every note a profile from these flags carries; shared by all such profiles, never mutated */
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
  const view = guestViewFromLinux({ vendor, flags: [...common].filter((f) => FLAG_RE.test(f)), bugs, kernel });
  if (view.unknown.length) notes.push(`flags the catalog does not know: ${view.unknown.join(' ')}`);
  notes.push(...view.notes, 'derived from /proc/cpuinfo: approximate (KVM may offer a little more or less)');
  return { view, notes };
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

export function readCpuinfo(
  text: string,
  where: string,
  name: string,
  host: { kernel?: string | null } = {},
): HostProfile {
  const cpus = stanzas(text);
  if (!cpus.length) throw new InputError(where, 'expected /proc/cpuinfo with "processor" and "flags" lines');
  const first = cpus[0];
  // ARM kernels print "CPU implementer"/"CPU architecture" and no vendor_id; some print a flags key too
  if (!first.has('vendor_id') && /^CPU (?:implementer|architecture)\s*:/m.test(text))
    throw new InputError(
      where,
      'an ARM /proc/cpuinfo ("CPU implementer", no vendor_id); expected the /proc/cpuinfo of an x86-64 host',
    );
  const lines = cpus.filter((c) => c.has('flags')).map((c) => c.get('flags')!);
  if (!lines.length) throw new InputError(where, 'no "flags" line in any processor stanza');
  const vendor = normalizeVendor(first.get('vendor_id') ?? '');
  const { view, notes } = cachedView(lines, vendor, first.get('bugs'), host.kernel ?? null);
  const bits = /(\d+) bits physical/.exec((first.get('address sizes') ?? '').slice(0, 100)); // bounded: \d+ backtracks
  const num = (k: string) => {
    const v = first.get(k);
    return v && v.length < 10 && /^\d+$/.test(v) ? Number(v) : null;
  };
  // A VM's cpuinfo cannot tell what its own KVM offers (host-kind.ts): said on the profile
  const guest = /(^| )hypervisor( |$)/.test(lines[0]) ? virtualHost(['hypervisor']) : null;
  return newProfile({
    ...(guest ? { hostKind: guest } : {}),
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
    notes: guest ? [...notes, VM_NOTE] : notes,
  });
}

const VM_NOTE =
  'the hypervisor flag: this host is itself a virtual machine, so its cpuinfo cannot tell what its own KVM offers (nested or paravirtual KVM gets what the outer hypervisor passes down): run `migratable probe` there';
