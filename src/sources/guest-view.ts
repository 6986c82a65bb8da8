/**
 * What a KVM guest can get on a host whose CPU is described only by Linux flag names
 * (/proc/cpuinfo, lscpu, Proxmox's node status). Approximate by nature: the result is marked
 * exact:false and errs on the side of claiming less, never more.
 */
import { compareVersions, majorMinor } from '../version.js';
import { allFeatures, kvm, linuxFlag, resolveFeature } from '../catalog/index.js';
import { FEATURE_BITS, LINUX_FLAG_BITS } from '../catalog/bit-index.js';
import { clearBit, hasBit, setBit, type Bits } from '../catalog/name-bits.js';
import { applyDependencyBits } from '../catalog/dependencies.js';
import { kvmOfferBits } from './kvm-offer.js';
import { linuxSynthetic } from '../catalog/linux-synthetic.js';

export interface LinuxView {
  vendor: string;
  flags: string[];
  /** The cpuinfo "bugs" line, when the source has it (tells which hardware bugs the host has) */
  bugs?: string[] | null;
  /** Host kernel release, when the source has it: some KVM-provided bits depend on it */
  kernel?: string | null;
}

/** True when a kernel release like "6.8.12-4-pve" is at least "major.minor". */
export function kernelAtLeast(kernel: string | null | undefined, since: string): boolean {
  const release = majorMinor(kernel);
  return release !== null && compareVersions(release, since) >= 0;
}

export interface GuestView {
  features: string[];
  notes: string[];
  /** Flags the catalog has never heard of (newer kernels); listed so nothing is dropped silently */
  unknown: string[];
}

/** Canonical names some QEMU can give a guest (libvirt-only names like cmt are not) */
const GUESTABLE = new Set(
  allFeatures()
    .filter((f) => f.qemu !== null)
    .map((f) => f.name),
);

/**
 * Host facts in Linux's terms, for sources that see raw CPUID bits instead of cpuinfo (cpuid -r,
 * libvirt capabilities): the vendor-neutral synthetic flags Linux would derive from them.
 */
export interface HostFacts {
  vendor: string;
  /** Canonical QEMU features the host CPU has (raw bits, before KVM's view) */
  features: Iterable<string>;
  /** Linux synthetic flags that stand for several vendor bits: ibpb ibrs stibp ssbd */
  hints: Iterable<string>;
  bugs?: string[] | null;
  /** Host kernel release, when the source has it: some KVM-provided bits depend on it */
  kernel?: string | null;
}

let readKernel: string | null = null;

/**
 * Runs `read` with a host kernel release for sources that do not carry one (`--kernel`, or the running
 * kernel for this machine's own /proc/cpuinfo). Reads are synchronous, so the scope is exactly `read`.
 */
export function withKernel<T>(kernel: string | null | undefined, read: () => T): T {
  const before = readKernel;
  readKernel = kernel ?? null;
  try {
    return read();
  } finally {
    readKernel = before;
  }
}

/** Per Linux flag position: whether the catalog knows the flag, and the feature a cpuid flag is (or -1). */
const KNOWN_FLAG = LINUX_FLAG_BITS.names.map((n) => !!linuxFlag(n));
const FEATURE_OF_FLAG = LINUX_FLAG_BITS.names.map((n) => {
  const l = linuxFlag(n);
  return l && l.kind === 'cpuid' && l.feature ? FEATURE_BITS.of(l.feature) : -1;
});
/** Per feature position: its Linux flag (raw sources' bits stand for the flags Linux would print), or -1. */
const FLAG_OF_FEATURE = FEATURE_BITS.names.map((n) => {
  const l = resolveFeature(n)?.linux;
  return l ? LINUX_FLAG_BITS.of(l) : -1;
});
/** Raw bits Linux shows only as synthetic flags (invtsc as constant_tsc + nonstop_tsc), over bits */
const TO_BITS = linuxSynthetic.toBits.map((r) => ({
  feature: FEATURE_BITS.of(r.feature),
  allOf: r.allOf.map((f) => LINUX_FLAG_BITS.of(f)),
  vendors: r.vendors,
}));
const RTM = FEATURE_BITS.of('rtm');
/** Nested VMX controls are not in cpuinfo's flags */
const VMX_CONTROLS = FEATURE_BITS.names.flatMap((n, i) => (n.startsWith('vmx-') ? [i] : []));
const NOT_AFFECTED = Object.entries(kvm.notAffected).map(([f, { bug, since }]) => ({
  feature: FEATURE_BITS.of(f),
  taaNo: f === 'taa-no',
  bug,
  since,
}));
/** What a guest may get, in name order: the names some QEMU can give a guest (libvirt-only names like cmt are not) */
const GUESTABLE_IN_ORDER = FEATURE_BITS.names
  .map((name, bit) => ({ name, bit }))
  .filter((f) => GUESTABLE.has(f.name))
  .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));

export function guestViewFromLinux(view: LinuxView): GuestView {
  const flags = LINUX_FLAG_BITS.empty();
  const out = FEATURE_BITS.empty();
  const unknown = new Set<string>();
  for (const name of view.flags) {
    // Every name counts as a flag the KVM rules may test, known to the catalog or not
    const flag = LINUX_FLAG_BITS.of(name);
    setBit(flags, flag);
    if (flag >= 0 && KNOWN_FLAG[flag]) {
      setBit(out, FEATURE_OF_FLAG[flag]);
      continue;
    }
    // Some sources print QEMU spellings already (Proxmox 9.2 cpu-flags); anything else is unknown
    const f = resolveFeature(name);
    if (f && f.name === name) setBit(out, FEATURE_BITS.of(f.name));
    else unknown.add(name);
  }
  // Linux splits the invariant TSC bit into two synthetic flags (ibrs-all: see kvmRules)
  for (const r of TO_BITS) if (!r.vendors && r.allOf.every((f) => hasBit(flags, f))) setBit(out, r.feature);
  for (const b of VMX_CONTROLS) clearBit(out, b);
  const view2 = kvmRules(view.vendor, out, flags, view.bugs, view.kernel ?? readKernel);
  return { ...view2, unknown: [...unknown].sort() };
}

/** Linux's synthetic speculation flags, derived from raw vendor bits the way arch/x86/kernel/cpu does (data/linux-synthetic.json). */
export function linuxHintsFromBits(vendor: string, features: Set<string>, family: number | null): string[] {
  return linuxSynthetic.fromBits
    .filter(
      (r) =>
        r.anyOf.some((f) => features.has(f)) ||
        // AMD 15h-17h and Hygon 18h get SSBD the LS_CFG way (Linux forces X86_FEATURE_SSBD)
        (family !== null && !!r.families?.some((v) => v.vendor === vendor && family >= v.from && family <= v.to)),
    )
    .map((r) => r.flag);
}

/** What KVM offers on this host per its kernel release (data/kvm-offer.json), plus the MSR facts of kvm.json. */
export function applyKvmRules(facts: HostFacts): { features: string[]; notes: string[] } {
  const features = FEATURE_BITS.empty();
  // Names outside the catalog's features cannot be offered, but may still name a Linux flag
  const flags = LINUX_FLAG_BITS.from(facts.hints);
  for (const f of facts.features) {
    setBit(features, FEATURE_BITS.of(f));
    const l = resolveFeature(f)?.linux;
    if (l) setBit(flags, LINUX_FLAG_BITS.of(l));
  }
  return kvmRules(facts.vendor, features, flags, facts.bugs, facts.kernel ?? readKernel);
}

/** applyKvmRules over bits: `features` the host CPU has, `flags` what Linux says (changed in place). */
function kvmRules(
  vendor: string,
  features: Bits,
  flags: Bits,
  bugs: string[] | null | undefined,
  kernel: string | null,
): { features: string[]; notes: string[] } {
  // Raw sources (cpuid -r, libvirt) have bits, not flags: the Linux name of each bit stands for its flag
  for (let i = 0; i < FLAG_OF_FEATURE.length; i++) if (hasBit(features, i)) setBit(flags, FLAG_OF_FEATURE[i]);
  const offer = kvmOfferBits({ vendor, features, flags, bugs, kernel });
  const out = offer.features;
  const notes: string[] = [];
  if (offer.releases.length > 1)
    notes.push(
      `host kernel unknown: only what KVM offers in every Linux release from ${offer.releases[0]} on is claimed` +
        (offer.heldBack.length ? ` (held back: ${offer.heldBack.sort().join(' ')})` : ''),
    );
  if (bugs) {
    // A bug absent from the line means "not affected" only if the kernel already knew that bug
    const present = new Set(bugs);
    for (const n of NOT_AFFECTED)
      if (!present.has(n.bug) && kernelAtLeast(kernel, n.since) && (!n.taaNo || hasBit(out, RTM)))
        setBit(out, n.feature);
  }
  // On Intel, Linux's ibrs_enhanced is IA32_ARCH_CAPABILITIES.IBRS_ALL, which KVM passes through in
  // that MSR; on AMD the same flag stands for AutoIBRS, a different bit (vendor-bound toBits rules)
  for (const r of TO_BITS)
    if (r.vendors?.includes(vendor) && r.allOf.every((f) => hasBit(flags, f))) setBit(out, r.feature);
  // QEMU clears what depends on a bit that is off (feature_dependencies[]: arch-capabilities and its MSR bits)
  applyDependencyBits(out);
  // Names only libvirt knows (cmt, mbm-*) are bits no QEMU can give a guest
  return { features: GUESTABLE_IN_ORDER.filter((f) => hasBit(out, f.bit)).map((f) => f.name), notes };
}
