/**
 * What KVM (and QEMU on top of it) offers a guest on a host known only by its Linux flags, per kernel
 * release, from the generated data/kvm-offer.json. A kernel between two known releases behaves like
 * the older one; an unknown kernel gets only what every release from 5.4 on offers.
 */
import { isAmdLike, kvmOffer } from '../catalog/index.js';
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

function vendorKey(vendor: string): 'intel' | 'amd' {
  return isAmdLike(vendor) ? 'amd' : 'intel';
}

function holds(lit: string, feature: string, host: OfferHost, v: 'intel' | 'amd'): boolean {
  const neg = lit.startsWith('!');
  const l = neg ? lit.slice(1) : lit;
  if (l === 'host') {
    const proof = kvmOffer.hostBits[v][feature];
    return host.features.has(feature) || (!!proof && proof.every((f) => host.flags.has(f)));
  }
  if (l.startsWith('flag:')) return host.flags.has(l.slice(5)) !== neg;
  if (l.startsWith('bug:')) {
    // Without the bugs line nothing is proven; without the kernel, a bug missing from the line may
    // only be one that kernel never heard of
    if (!host.bugs || (neg && !releaseFor(host.kernel))) return false;
    return host.bugs.includes(l.slice(4)) !== neg;
  }
  return false;
}

function offeredIn(feature: string, release: string, host: OfferHost): boolean {
  const o = kvmOffer.features[feature]?.[release];
  if (!o) return false;
  const v = vendorKey(host.vendor);
  const dnf = 'any' in o ? o.any : o[v];
  return dnf.some((term) => term.every((lit) => holds(lit, feature, host, v)));
}

export interface Offer {
  features: Set<string>;
  /** The releases whose offer was intersected */
  releases: string[];
  /** With an unknown kernel: what the newest release would add */
  heldBack: string[];
}

const cache = new Map<string, Offer>();

/** Every catalog feature KVM offers on this host (features the table does not know are not offered). */
export function kvmOfferFor(host: OfferHost): Offer {
  // Fleets repeat a handful of CPU variants: one evaluation per distinct host description
  const key = [host.vendor, releaseFor(host.kernel), [...host.features].sort(), [...host.flags].sort(), host.bugs]
    .map(String)
    .join('|');
  const hit = cache.get(key);
  if (hit) return { features: new Set(hit.features), releases: hit.releases, heldBack: [...hit.heldBack] };
  const offer = evaluateOffer(host);
  if (cache.size > 10000) cache.clear();
  cache.set(key, offer);
  return { features: new Set(offer.features), releases: offer.releases, heldBack: [...offer.heldBack] };
}

function evaluateOffer(host: OfferHost): Offer {
  const release = releaseFor(host.kernel);
  const releases = release ? [release] : kvmOffer.unknownKernel;
  const features = new Set<string>();
  const heldBack: string[] = [];
  const newest = kvmOffer.releases.at(-1)!;
  for (const f of Object.keys(kvmOffer.features)) {
    if (releases.every((r) => offeredIn(f, r, host))) features.add(f);
    else if (!release && offeredIn(f, newest, host)) heldBack.push(f);
  }
  return { features, releases, heldBack };
}
