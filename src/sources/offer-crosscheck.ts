/**
 * The KVM table's prediction for a host (from its /proc/cpuinfo, kvm-offer.ts) against what QEMU/KVM on
 * that host itself answered (a probe), feature by feature, each difference with its cause when the
 * sources give one. Used by `profile`/`baseline`/`check` on this machine's own cpuinfo and by the
 * probe-vs-table test. Runs in Node and the browser.
 *
 * Causes that explain a difference, and where each comes from:
 *
 * Claimed by the table, not offered (the unsafe direction):
 * - `qemu-unknown`: the probing QEMU predates the feature's name (catalog `qemu` release), so its
 *   expansion of `host` cannot list it; KVM may well offer it.
 * - `qemu-unmigratable`: QEMU leaves features that block migration (invtsc) out of `-cpu host` unless
 *   migratable=off (target/i386/cpu.c: feature_word_info[].unmigratable_flags, dropped by
 *   x86_cpu_get_supported_feature_word when cpu->migratable).
 * - `module-parameter`: the host's KVM runs with a parameter off that the table assumes on
 *   (catalog-src/kvm-offer/curated.json): kvm_intel/kvm_amd `nested=0` withholds vmx/svm and the
 *   SVM features (vmx.c vmx_set_cpu_caps, svm.c svm_set_cpu_caps set them only `if (nested)`); kvm
 *   `enable_pmu=0` withholds pdcm, perfctr-core and perfmon-v2. The generator finds which features each
 *   parameter gates by re-reading the kernel sources with it flipped (data/kvm-offer.json parameters).
 * - `kernel-between`: the running kernel lies between two releases of the table, which reads it as
 *   the older; the newer release agrees with the probe.
 *
 * Offered, not claimed (the table is conservative, never unsafe):
 * - `conditional`: the table offers it only under a condition /proc/cpuinfo cannot prove (a host bit
 *   Linux does not print, such as la57 on a kernel without 5-level paging; a bug the kernel does not
 *   list; a module parameter); it claims only what it can prove.
 * - `kernel-between`, as above.
 *
 * Anything else is unexplained: the table is wrong for that feature (or the host is not what the table
 * describes: a VM, a paravirtual module; host-kind.ts says so first).
 */
import { kvmOffer, resolveFeature, knownNewerThan } from '../catalog/index.js';
import { compareVersions } from '../version.js';
import { releaseFor } from './kvm-offer.js';

export type OfferCause = 'qemu-unknown' | 'qemu-unmigratable' | 'module-parameter' | 'kernel-between' | 'conditional';

export interface OfferDifference {
  feature: string;
  /** The cause from the sources, or null when nothing explains it */
  cause: OfferCause | null;
  /** One line on the cause */
  why: string | null;
}

export interface OfferCrossCheck {
  /** The table's release the prediction used */
  release: string | null;
  /** Claimed from cpuinfo, not offered by KVM/QEMU: the unsafe direction */
  claimedNotOffered: OfferDifference[];
  /** Offered by KVM/QEMU, not claimed from cpuinfo */
  offeredNotClaimed: OfferDifference[];
  /** Features both name */
  agreed: number;
}

export interface CrossCheckHost {
  vendor: string;
  kernel: string | null;
  /** The QEMU version of the probe */
  qemu: string | null;
  /** kvm and vendor module parameters the probe recorded (module -> name -> value) */
  params?: Record<string, Record<string, string>>;
}

/** Module parameters on by default and the features KVM withholds when one is off (data/kvm-offer.json, from the kernel sources). */
const PARAMETER_EFFECTS = kvmOffer.parameters.filter((p) => p.assumed);

function isOff(v: string | undefined): boolean {
  return v !== undefined && /^(n|0)$/i.test(v.trim());
}

function vendorKey(vendor: string): 'intel' | 'amd' {
  return vendor === 'AuthenticAMD' || vendor === 'HygonGenuine' ? 'amd' : 'intel';
}

/** The table's terms for a feature in a release on this vendor: [] = never offered, [[]] = always. */
function terms(feature: string, release: string, vendor: string): string[][] {
  const o = kvmOffer.features[feature]?.[release];
  if (!o) return [];
  return 'any' in o ? o.any : o[vendorKey(vendor)];
}

/** The next known release after `release`, when the running kernel is newer than `release`. */
function newerRelease(release: string | null, kernel: string | null): string | null {
  if (!release || !kernel) return null;
  const next = kvmOffer.releases.find((r) => compareVersions(r, release) > 0);
  const m = /^(\d+\.\d+)/.exec(kernel);
  return next && m && compareVersions(m[1], release) > 0 ? next : null;
}

function claimedCause(f: string, host: CrossCheckHost, next: string | null): Omit<OfferDifference, 'feature'> {
  const feature = resolveFeature(f);
  if (feature && host.qemu && knownNewerThan(feature.qemu, host.qemu))
    return { cause: 'qemu-unknown', why: `QEMU ${host.qemu} predates the name, first in ${feature.qemu}` };
  if (feature?.blocksMigration)
    return { cause: 'qemu-unmigratable', why: 'QEMU leaves features that block migration out of -cpu host' };
  for (const e of PARAMETER_EFFECTS) {
    if (!e.features.includes(f)) continue;
    const off = Object.entries(host.params ?? {}).find(([m, ps]) => e.modules.includes(m) && isOff(ps[e.param]));
    if (off) return { cause: 'module-parameter', why: `${off[0]} ${e.param}=${off[1][e.param]}` };
  }
  if (next && !terms(f, next, host.vendor).length)
    return { cause: 'kernel-between', why: `the table's ${next} no longer offers it` };
  return { cause: null, why: null };
}

function offeredCause(
  f: string,
  host: CrossCheckHost,
  release: string | null,
  next: string | null,
): Omit<OfferDifference, 'feature'> {
  if (release && terms(f, release, host.vendor).some((t) => t.length > 0))
    return { cause: 'conditional', why: 'offered only under a condition /proc/cpuinfo cannot prove' };
  if (next && terms(f, next, host.vendor).length)
    return { cause: 'kernel-between', why: `first offered by the table's ${next}` };
  return { cause: null, why: null };
}

/**
 * Compares on the features the table knows (nested VMX controls, MSR-only bits and names outside
 * the table are not predicted from cpuinfo at all).
 */
export function crossCheckOffer(
  predicted: readonly string[],
  offered: readonly string[],
  host: CrossCheckHost,
): OfferCrossCheck {
  const known = (f: string) => f in kvmOffer.features;
  const table = new Set(predicted.filter(known));
  const real = new Set(offered.filter(known));
  const release = releaseFor(host.kernel);
  const next = newerRelease(release, host.kernel);
  const claimedNotOffered = [...table]
    .filter((f) => !real.has(f))
    .sort()
    .map((feature) => ({ feature, ...claimedCause(feature, host, next) }));
  const offeredNotClaimed = [...real]
    .filter((f) => !table.has(f))
    .sort()
    .map((feature) => ({ feature, ...offeredCause(feature, host, release, next) }));
  return {
    release,
    claimedNotOffered,
    offeredNotClaimed,
    agreed: [...table].filter((f) => real.has(f)).length,
  };
}

/** The differences nothing explains. */
export function unexplained(check: OfferCrossCheck): { claimed: string[]; offered: string[] } {
  return {
    claimed: check.claimedNotOffered.filter((d) => !d.cause).map((d) => d.feature),
    offered: check.offeredNotClaimed.filter((d) => !d.cause).map((d) => d.feature),
  };
}
