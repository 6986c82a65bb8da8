/**
 * What KVM (and QEMU on top of it) offers a guest on a host known only by its Linux flags, per kernel
 * release, from the generated data/kvm-offer.json. A kernel between two known releases behaves like
 * the older one; an unknown kernel gets only what every release from 5.4 on offers.
 */
import { isAmdLike, kvmOffer } from '../catalog/index.js';
import { FEATURE_BITS, LINUX_FLAG_BITS } from '../catalog/bit-index.js';
import { hasBit, setBit, type Bits } from '../catalog/name-bits.js';
import { compareVersions, majorMinor } from '../version.js';

export { kvmOffer };

export interface OfferHost {
  vendor: string;
  /** Catalog features the host CPU has (from its flags) */
  features: Set<string>;
  /** /proc/cpuinfo flags (or the Linux names a raw source stands for) */
  flags: Set<string>;
  bugs?: string[] | null;
  kernel?: string | null;
}

/** The known release a running kernel behaves like, or null when unknown or older than every known one. */
export function releaseFor(kernel: string | null | undefined): string | null {
  const k = majorMinor(kernel);
  if (!k) return null;
  const fit = kvmOffer.releases.filter((r) => compareVersions(r, k) <= 0);
  return fit.at(-1) ?? null;
}

type VendorKey = 'intel' | 'amd';

function vendorKey(vendor: string): VendorKey {
  return isAmdLike(vendor) ? 'amd' : 'intel';
}

/**
 * A literal of the table, parsed once into bit positions (catalog/bit-index.ts): "host" (the host CPU
 * has the feature, or its Linux flags prove it; a "!" before it is ignored, as it always was),
 * "flag:x", "bug:x", each possibly negated.
 */
type Literal =
  | { kind: 'host'; feature: number; proof: number[] | undefined }
  | { kind: 'flag'; flag: number; neg: boolean }
  | { kind: 'bug'; name: string; neg: boolean }
  | { kind: 'never' };
/** A condition in disjunctive normal form: any of the terms, each a conjunction of literals. */
type Condition = Literal[][];

function literal(lit: string, feature: string, v: VendorKey): Literal {
  const neg = lit.startsWith('!');
  const l = neg ? lit.slice(1) : lit;
  if (l === 'host') {
    const proof = kvmOffer.hostBits[v][feature];
    return { kind: 'host', feature: FEATURE_BITS.of(feature), proof: proof?.map((f) => LINUX_FLAG_BITS.of(f)) };
  }
  if (l.startsWith('flag:')) return { kind: 'flag', flag: LINUX_FLAG_BITS.of(l.slice(5)), neg };
  if (l.startsWith('bug:')) return { kind: 'bug', name: l.slice(4), neg };
  return { kind: 'never' };
}

/** A host as the compiled table sees it: feature and flag bits, the bugs line, and whether its kernel is known. */
export interface OfferBitsHost {
  vendor: string;
  features: Bits;
  flags: Bits;
  bugs?: string[] | null;
  kernel?: string | null;
}

interface OfferFacts {
  host: OfferBitsHost;
  /** The kernel is a known release (a bug missing from the line then means "not affected") */
  knownKernel: boolean;
}

function holds(lit: Literal, h: OfferFacts): boolean {
  const { host } = h;
  switch (lit.kind) {
    case 'host':
      return hasBit(host.features, lit.feature) || (!!lit.proof && lit.proof.every((f) => hasBit(host.flags, f)));
    case 'flag':
      return hasBit(host.flags, lit.flag) !== lit.neg;
    case 'bug':
      // Without the bugs line nothing is proven; without the kernel, a bug missing from the line may
      // only be one that kernel never heard of
      if (!host.bugs || (lit.neg && !h.knownKernel)) return false;
      return host.bugs.includes(lit.name) !== lit.neg;
    default:
      return false;
  }
}

const satisfied = (c: Condition, h: OfferFacts) => c.some((term) => term.every((lit) => holds(lit, h)));

/**
 * What a set of conditions (all must hold) comes down to: most features are offered whenever the
 * host has them ("host"), some always, some never; only a few need their literals tested per host.
 */
type Shape =
  | { kind: 'never' | 'always' }
  | { kind: 'host'; proof: number[] | undefined }
  | { kind: 'test'; conditions: Condition[] };

function shapeOf(conditions: Condition[] | null): Shape {
  if (!conditions || conditions.some((c) => c.length === 0)) return { kind: 'never' };
  // A condition with an empty term always holds
  const left = conditions.filter((c) => !c.some((term) => term.length === 0));
  if (!left.length) return { kind: 'always' };
  const hostOnly = (c: Condition) => c.length === 1 && c[0].length === 1 && c[0][0].kind === 'host';
  if (left.every(hostOnly)) {
    const lit = left[0][0][0] as Extract<Literal, { kind: 'host' }>;
    return { kind: 'host', proof: lit.proof };
  }
  return { kind: 'test', conditions: left };
}

/**
 * The table for one vendor and set of releases, compiled: the features offered always, offered when
 * the host has them, and the few whose conditions are tested literal by literal; with an unknown
 * kernel the same for the newest release (what is "held back").
 */
interface Compiled {
  always: Bits;
  /** Offered exactly when the host has the feature */
  host: Bits;
  /** Offered when the host has the feature or the Linux flags that prove it */
  proven: Array<{ bit: number; proof: number[] }>;
  tested: Array<{ bit: number; conditions: Condition[] }>;
  newest: Omit<Compiled, 'newest'> | null;
}

const compiled = new Map<string, Compiled>();
/** Feature positions in the table's own order (the order "held back" lists them in). */
const TABLE_ORDER = Object.keys(kvmOffer.features).map((f) => FEATURE_BITS.of(f));

function compileShapes(shapes: Array<{ bit: number; shape: Shape }>): Omit<Compiled, 'newest'> {
  const out: Omit<Compiled, 'newest'> = {
    always: FEATURE_BITS.empty(),
    host: FEATURE_BITS.empty(),
    proven: [],
    tested: [],
  };
  for (const { bit, shape } of shapes)
    if (shape.kind === 'always') setBit(out.always, bit);
    else if (shape.kind === 'host')
      if (shape.proof) out.proven.push({ bit, proof: shape.proof });
      else setBit(out.host, bit);
    else if (shape.kind === 'test') out.tested.push({ bit, conditions: shape.conditions });
  return out;
}

function compile(v: VendorKey, releases: string[], withNewest: boolean): Compiled {
  const key = `${v}|${releases.join(',')}|${withNewest}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const newestRelease = kvmOffer.releases.at(-1)!;
  const conditionOf = (feature: string, release: string): Condition | null => {
    const o = kvmOffer.features[feature]?.[release];
    if (!o) return null;
    const dnf = 'any' in o ? o.any : o[v];
    return dnf.map((term) => term.map((lit) => literal(lit, feature, v)));
  };
  const features = Object.keys(kvmOffer.features);
  const every = features.map((feature) => {
    const seen = new Map<string, Condition>();
    for (const r of releases) {
      const o = kvmOffer.features[feature]?.[r];
      if (!o) return { bit: FEATURE_BITS.of(feature), shape: shapeOf(null) };
      const dnf = 'any' in o ? o.any : o[v];
      const k = JSON.stringify(dnf);
      if (!seen.has(k)) seen.set(k, conditionOf(feature, r)!);
    }
    return { bit: FEATURE_BITS.of(feature), shape: shapeOf([...seen.values()]) };
  });
  const newest = withNewest
    ? compileShapes(
        features.map((feature) => {
          const c = conditionOf(feature, newestRelease);
          return { bit: FEATURE_BITS.of(feature), shape: shapeOf(c ? [c] : null) };
        }),
      )
    : null;
  const out = { ...compileShapes(every), newest };
  compiled.set(key, out);
  return out;
}

/** The features a compiled table offers this host, as bits. */
function offered(t: Omit<Compiled, 'newest'>, facts: OfferFacts): Bits {
  const { features: has, flags } = facts.host;
  const out = t.always.slice();
  for (let w = 0; w < out.length; w++) out[w] |= has[w] & t.host[w];
  for (const p of t.proven) if (hasBit(has, p.bit) || p.proof.every((f) => hasBit(flags, f))) setBit(out, p.bit);
  for (const c of t.tested) if (c.conditions.every((cond) => satisfied(cond, facts))) setBit(out, c.bit);
  return out;
}

export interface Offer {
  features: Set<string>;
  /** The releases whose offer was intersected */
  releases: string[];
  /** With an unknown kernel: what the newest release would add */
  heldBack: string[];
}

/** Every catalog feature KVM offers on this host (features the table does not know are not offered). */
export function kvmOfferFor(host: OfferHost): Offer {
  const offer = kvmOfferBits({
    ...host,
    features: FEATURE_BITS.from(host.features),
    flags: LINUX_FLAG_BITS.from(host.flags),
  });
  return { ...offer, features: new Set(FEATURE_BITS.toNames(offer.features)) };
}

/** The same over bits (what guest-view.ts works with): the offered features as bits. */
export function kvmOfferBits(host: OfferBitsHost): Omit<Offer, 'features'> & { features: Bits } {
  const release = releaseFor(host.kernel);
  const releases = release ? [release] : kvmOffer.unknownKernel;
  const facts: OfferFacts = { host, knownKernel: !!release };
  const table = compile(vendorKey(host.vendor), releases, !release);
  const features = offered(table, facts);
  const heldBack: string[] = [];
  if (table.newest) {
    const newest = offered(table.newest, facts);
    for (const bit of TABLE_ORDER)
      if (hasBit(newest, bit) && !hasBit(features, bit)) heldBack.push(FEATURE_BITS.names[bit]);
  }
  return { features, releases, heldBack };
}
