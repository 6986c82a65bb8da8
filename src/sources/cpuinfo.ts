/** /proc/cpuinfo: one processor stanza or a whole dump. */
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { newProfile, normalizeVendor, sortedFeatures } from '../profile/build.js';
import { guestViewFromLinux, type GuestView } from './guest-view.js';
import { virtualHost } from './host-kind.js';

/** The keys any reader uses; other lines (power management, bogomips, ...) are skipped unread. */
const KEYS = [
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
] as const;
type Key = (typeof KEYS)[number];

/** One processor stanza: the value of each key it has (one object shape for all, no map per stanza). */
type Stanza = Record<Key, string | undefined>;
const newStanza = (): Stanza => ({
  processor: undefined,
  vendor_id: undefined,
  'cpu family': undefined,
  'model name': undefined,
  model: undefined,
  microcode: undefined,
  stepping: undefined,
  flags: undefined,
  bugs: undefined,
  'address sizes': undefined,
});

/** The keys by the code of their first letter (all ASCII): one array index per line, most lines none. */
const KEYS_BY_FIRST: Array<Key[] | undefined> = new Array(128);
for (const k of KEYS) (KEYS_BY_FIRST[k.charCodeAt(0)] ??= []).push(k);

const SPACE = 32,
  TAB = 9,
  COLON = 58,
  CR = 13;

/** Set by keyAt: where the colon after the key it found is (no object per line). */
let keyColon = 0;

/** The key at `pos` if it is one we read (its colon then in keyColon): whole word, then blanks and a colon on the same line. */
function keyAt(text: string, pos: number, end: number): Key | null {
  const candidates = KEYS_BY_FIRST[text.charCodeAt(pos)];
  if (!candidates) return null;
  for (const key of candidates) {
    if (!text.startsWith(key, pos)) continue;
    let i = pos + key.length;
    while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
    if (text.charCodeAt(i) === COLON) {
      keyColon = i;
      return key;
    }
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

/** ASCII whitespace as String.prototype.trim sees it (tab, line feed, vertical tab, form feed, CR, space). */
const isAsciiSpace = (c: number) => c === SPACE || (c >= TAB && c <= CR);

/** Set by trimValue: the trimmed value's bounds [valueStart, valueEnd). */
let valueStart = 0;
let valueEnd = 0;

/** Bounds of the value after a key's colon, trimmed; false when trim must decide (non-ASCII at an edge). */
function trimValue(text: string, colon: number, end: number): boolean {
  let s = colon + 1;
  let e = end;
  while (s < e && isAsciiSpace(text.charCodeAt(s))) s++;
  while (e > s && isAsciiSpace(text.charCodeAt(e - 1))) e--;
  valueStart = s;
  valueEnd = e;
  return !(s < e && (text.charCodeAt(s) > 127 || text.charCodeAt(e - 1) > 127));
}

function valueAt(text: string, colon: number, end: number): string {
  return trimValue(text, colon, end) ? text.slice(valueStart, valueEnd) : text.slice(colon + 1, end).trim();
}

/** What a dump holds for us: the first processor stanza, and the flags line of every stanza that has one. */
interface Dump {
  /** The first stanza with a flags or vendor_id line, or null when none has */
  first: Stanza | null;
  /** In stanza order; a line equal to an earlier one is that same string (compared without copying) */
  lines: string[];
}

/** readDump's state between lines: one object per dump, which is also what it returns. */
interface DumpState extends Dump {
  /** The stanza being read while `first` is not found yet (every key), else null */
  cur: Stanza | null;
  inStanza: boolean;
  /** After `first`: where the current stanza's last flags line is */
  flagsColon: number;
  flagsEnd: number;
}

const NO_LINES: string[] = [];

/**
 * Reads the processor stanzas with the keys we read. A hand-rolled line scanner: dumps of 100k hosts
 * are read in one go, and a regex per line once took quadratic time on long lines without a colon.
 * Stanzas after the first count only for their flags line (processors that disagree are intersected),
 * and a flags line equal to the first one is compared in place instead of copied: a dump of a
 * 1024-thread host costs one scan, not 1024 maps.
 */
function readDump(text: string): Dump {
  const d: DumpState = { first: null, lines: NO_LINES, cur: null, inStanza: false, flagsColon: -1, flagsEnd: -1 };
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (isBlank(text, pos, end)) {
      if (d.inStanza) closeStanza(d, text);
    } else {
      const key = keyAt(text, pos, end);
      if (key) {
        if (key === 'processor' || !d.inStanza) {
          if (d.inStanza) closeStanza(d, text);
          d.inStanza = true;
          if (d.first === null) d.cur = newStanza();
        }
        // The processor number only starts a stanza: its value is never read
        if (d.cur) {
          if (key !== 'processor') d.cur[key] = valueAt(text, keyColon, end);
        } else if (key === 'flags') {
          d.flagsColon = keyColon;
          d.flagsEnd = end;
        }
      }
    }
    pos = end + 1;
  }
  if (d.inStanza) closeStanza(d, text);
  return d;
}

function addLine(d: Dump, line: string): void {
  if (d.lines === NO_LINES) d.lines = [line];
  else d.lines.push(line);
}

function closeStanza(d: DumpState, text: string): void {
  if (d.first === null) {
    const cur = d.cur;
    if (cur && (cur.flags !== undefined || cur.vendor_id !== undefined)) {
      d.first = cur;
      if (cur.flags !== undefined) addLine(d, cur.flags);
    }
  } else if (d.flagsColon >= 0) addLine(d, sameOrCopy(text, d.flagsColon, d.flagsEnd, d.lines));
  d.cur = null;
  d.inStanza = false;
  d.flagsColon = -1;
}

/** A later stanza's flags line: the string of an earlier equal line when there is one (no copy), else a copy. */
function sameOrCopy(text: string, colon: number, end: number, lines: string[]): string {
  if (!trimValue(text, colon, end)) return text.slice(colon + 1, end).trim();
  const s = valueStart;
  const e = valueEnd;
  const prev = lines.length ? lines[lines.length - 1] : undefined;
  if (prev !== undefined && prev.length === e - s && text.startsWith(prev, s)) return prev;
  if (lines.length && lines[0] !== prev && lines[0].length === e - s && text.startsWith(lines[0], s)) return lines[0];
  return text.slice(s, e);
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
  /** The first processor's flags say `hypervisor`: the host is itself a VM (host-kind.ts) */
  hypervisor: boolean;
}
/** A cached view and what it was made from: the raw flags and bugs lines, vendor and kernel. */
interface CachedView {
  line: string;
  bugsLine: string | undefined;
  vendor: string;
  kernel: string | null;
  result: FlagsView;
}
/**
 * Cached views by a fingerprint of their flags and bugs lines, each candidate then compared in full.
 * Every host's lines are new strings, and a string key would be hashed whole (some 1,000 characters)
 * for every host; the fingerprint reads a few dozen, and equal strings compare at memory speed.
 */
const viewCache = new Map<number, CachedView[]>();
let viewCacheSize = 0;
const VIEW_CACHE_MAX = 4096;
const MAX_BUCKET = 8;

/** Length and about 32 characters spread over the line: lines of one CPU model differ in a flag or two, which shifts the rest. */
function fingerprint(line: string, h: number): number {
  const n = line.length;
  const step = (n >>> 5) + 1;
  h = (Math.imul(h, 31) + n) | 0;
  for (let i = n - 1; i >= 0; i -= step) h = (Math.imul(h, 31) + line.charCodeAt(i)) | 0;
  return h;
}

function viewOfFlagLines(lines: string[], vendor: string, bugs: string[] | null, kernel: string | null): FlagsView {
  const notes: string[] = [];
  // Equal lines give equal sets: split each distinct line once (a 1024-thread dump has one or two)
  const flagSets = [...new Set(lines)].map((l) => l.split(/\s+/).filter(Boolean));
  // Processors normally agree; when they don't (hybrid cores, a mid-dump microcode change), a guest
  // may land on any of them, so only the flags all share count.
  let common = new Set(flagSets[0]);
  let disagree = false;
  for (const fs of flagSets.slice(1)) {
    const s = new Set(fs);
    if (s.size !== common.size || [...common].some((f) => !s.has(f))) disagree = true;
    common = new Set([...common].filter((f) => s.has(f)));
  }
  if (disagree) notes.push(`processors disagree on flags; using the ${common.size} flags all ${lines.length} share`);
  const malformed = [...common].filter((f) => !FLAG_RE.test(f));
  if (malformed.length) notes.push(`ignored malformed flag(s) ${malformed.join(' ')} (a truncated dump?)`);
  const view = guestViewFromLinux({ vendor, flags: [...common].filter((f) => FLAG_RE.test(f)), bugs, kernel });
  if (view.unknown.length) notes.push(`flags the catalog does not know: ${view.unknown.join(' ')}`);
  notes.push(...view.notes, 'derived from /proc/cpuinfo: approximate (KVM may offer a little more or less)');
  // Shared by every profile of these flags: frozen, so checked once (validate-profiles.ts)
  return {
    view: { ...view, features: sortedFeatures(view.features) },
    notes: Object.freeze(notes) as string[],
    // Once per distinct line rather than a regex over every host's ~1,000 characters
    hypervisor: /(^| )hypervisor( |$)/.test(lines[0]),
  };
}

const splitBugs = (bugsLine: string | undefined) =>
  bugsLine !== undefined ? bugsLine.split(/\s+/).filter(Boolean) : null;

function cachedView(lines: string[], vendor: string, bugsLine: string | undefined, kernel: string | null): FlagsView {
  // Only dumps whose processors all print the same line are cached (the key is that raw line)
  if (lines.some((l) => l !== lines[0])) return viewOfFlagLines(lines, vendor, splitBugs(bugsLine), kernel);
  const line = lines[0];
  const key = fingerprint(line, bugsLine === undefined ? 1 : fingerprint(bugsLine, 2));
  const bucket = viewCache.get(key);
  if (bucket)
    for (const c of bucket)
      if (c.line === line && c.bugsLine === bugsLine && c.vendor === vendor && c.kernel === kernel) return c.result;
  const result = viewOfFlagLines([line], vendor, splitBugs(bugsLine), kernel);
  if (viewCacheSize >= VIEW_CACHE_MAX) {
    viewCache.clear();
    viewCacheSize = 0;
  }
  const entry = { line, bugsLine, vendor, kernel, result };
  if (bucket && viewCache.has(key)) {
    // Lines made to collide get no cache rather than a long list to compare every host with
    if (bucket.length >= MAX_BUCKET) return result;
    bucket.push(entry);
  } else viewCache.set(key, [entry]);
  viewCacheSize++;
  return result;
}

const num = (v: string | undefined) => (v && v.length < 10 && /^\d+$/.test(v) ? Number(v) : null);

const BITS_PHYSICAL = ' bits physical';

/**
 * The physical address width of "46 bits physical, 48 bits virtual": the digits before the first
 * " bits physical" that has some, within the first 100 characters (as /(\d+) bits physical/ on
 * them would find, without a regex's backtracking over long digit runs or a match array per host).
 */
function physicalBits(v: string | undefined): number | null {
  if (v === undefined) return null;
  for (
    let at = v.indexOf(BITS_PHYSICAL);
    at >= 0 && at + BITS_PHYSICAL.length <= 100;
    at = v.indexOf(BITS_PHYSICAL, at + 1)
  ) {
    let start = at;
    while (start > 0 && v.charCodeAt(start - 1) >= 48 && v.charCodeAt(start - 1) <= 57) start--;
    if (start < at) return at - start > 15 ? Number(v.slice(start, at)) : digitsValue(v, start, at);
  }
  return null;
}

/** The number the digits in v[start, end) spell (at most 15 of them: exact in a double, like Number would read them). */
function digitsValue(v: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (v.charCodeAt(i) - 48);
  return n;
}

/**
 * Model names and microcode versions repeat across a fleet: each profile gets one shared copy, not
 * a slice of its own input, which would keep that host's whole /proc/cpuinfo text in memory.
 */
const sharedValues = new Map<string, string>();

function shared(value: string | undefined): string | null {
  if (value === undefined) return null;
  let hit = sharedValues.get(value);
  if (hit === undefined) {
    if (sharedValues.size >= VIEW_CACHE_MAX) sharedValues.clear();
    // A concatenation, flattened by slice: a string of its own rather than a view into the input
    hit = (' ' + value).slice(1);
    sharedValues.set(hit, hit);
  }
  return hit;
}

const NO_HOST: { kernel?: string | null } = Object.freeze({});

export function readCpuinfo(
  text: string,
  where: string,
  name: string,
  host: { kernel?: string | null } = NO_HOST,
): HostProfile {
  const { first, lines } = readDump(text);
  if (!first) throw new InputError(where, 'expected /proc/cpuinfo with "processor" and "flags" lines');
  // ARM kernels print "CPU implementer"/"CPU architecture" and no vendor_id; some print a flags key too
  if (first.vendor_id === undefined && /^CPU (?:implementer|architecture)\s*:/m.test(text))
    throw new InputError(
      where,
      'an ARM /proc/cpuinfo ("CPU implementer", no vendor_id); expected the /proc/cpuinfo of an x86-64 host',
    );
  if (!lines.length) throw new InputError(where, 'no "flags" line in any processor stanza');
  const vendor = normalizeVendor(first.vendor_id ?? '');
  const { view, notes, hypervisor } = cachedView(lines, vendor, first.bugs, host.kernel ?? null);
  // A VM's cpuinfo cannot tell what its own KVM offers (host-kind.ts): said on the profile
  const guest = hypervisor ? virtualHost(['hypervisor']) : null;
  return newProfile({
    ...(guest ? { hostKind: guest } : {}),
    name,
    vendor,
    family: num(first['cpu family']),
    model: num(first.model),
    stepping: num(first.stepping),
    modelName: shared(first['model name']),
    microcode: shared(first.microcode),
    features: view.features,
    exact: false,
    source: 'cpuinfo',
    physBits: physicalBits(first['address sizes']),
    kernel: host.kernel ?? null,
    notes: guest ? [...notes, VM_NOTE] : notes,
  });
}

const VM_NOTE =
  'the hypervisor flag: this host is itself a virtual machine, so its cpuinfo cannot tell what its own KVM offers (nested or paravirtual KVM gets what the outer hypervisor passes down): run `migratable probe` there';
