/**
 * What KVM (and QEMU on top of it) offers a guest on a host known only by its Linux flags, per kernel
 * release, from the generated data/kvm-offer.json. A kernel between two known releases behaves like
 * the older one; an unknown kernel gets only what every release from 5.4 on offers.
 */
import { kvmOffer } from '../catalog/index.js';
import { FEATURE_BITS, LINUX_FLAG_BITS } from '../catalog/bit-index.js';
import { hasBit, setBit, type Bits } from '../catalog/name-bits.js';
import { compareVersions } from '../version.js';

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
  const m = /^(\d+)\.(\d+)/.exec(kernel ?? '');
  if (!m) return null;
  const k = `${m[1]}.${m[2]}`;
  const fit = kvmOffer.releases.filter((r) => compareVersions(r, k) <= 0);
  return fit.at(-1) ?? null;
}

type VendorKey = 'intel' | 'amd';

function vendorKey(vendor: string): VendorKey {
  return vendor === 'AuthenticAMD' || vendor === 'HygonGenuine' ? 'amd' : 'intel';
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
 * The table for one vendor and set of releases, compiled: per feature the distinct conditions the
 * releases impose (consecutive releases mostly repeat one), or null when some release offers it never.
 */
interface CompiledFeature {
  feature: string;
  bit: number;
  /** All must hold; null: some release of the set does not offer the feature at all */
  every: Condition[] | null;
  /** With an unknown kernel: the newest release's condition (for "held back") */
  newest: Condition | null;
}

const compiled = new Map<string, CompiledFeature[]>();

function compile(v: VendorKey, releases: string[], withNewest: boolean): CompiledFeature[] {
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
  const out = Object.keys(kvmOffer.features).map((feature) => {
    const seen = new Map<string, Condition>();
    let never = false;
    for (const r of releases) {
      const o = kvmOffer.features[feature]?.[r];
      if (!o) {
        never = true;
        break;
      }
      const dnf = 'any' in o ? o.any : o[v];
      const k = JSON.stringify(dnf);
      if (!seen.has(k)) seen.set(k, conditionOf(feature, r)!);
    }
    return {
      feature,
      bit: FEATURE_BITS.of(feature),
      every: never ? null : [...seen.values()],
      newest: withNewest ? conditionOf(feature, newestRelease) : null,
    };
  });
  compiled.set(key, out);
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
  const features = FEATURE_BITS.empty();
  const heldBack: string[] = [];
  for (const c of compile(vendorKey(host.vendor), releases, !release)) {
    if (c.every && c.every.every((cond) => satisfied(cond, facts))) setBit(features, c.bit);
    else if (c.newest && satisfied(c.newest, facts)) heldBack.push(c.feature);
  }
  return { features, releases, heldBack };
}
