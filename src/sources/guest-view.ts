/**
 * What a KVM guest can get on a host whose CPU is described only by Linux flag names
 * (/proc/cpuinfo, lscpu, Proxmox's node status). Approximate by nature: the result is marked
 * exact:false and errs on the side of claiming less, never more.
 */
import { compareVersions, majorMinor } from '../version.js';
import { allFeatures, isAmdLike, kvm, linuxFlag, resolveFeature } from '../catalog/index.js';
import { applyDependencies } from '../catalog/dependencies.js';
import { kvmOfferFor } from './kvm-offer.js';

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

const has = (set: Set<string>, ...names: string[]) => names.every((n) => set.has(n));

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

export function guestViewFromLinux(view: LinuxView): GuestView {
  const flags = new Set(view.flags);
  const out = new Set<string>();
  const unknown: string[] = [];
  for (const name of flags) {
    const l = linuxFlag(name);
    if (!l) {
      // Some sources print QEMU spellings already (Proxmox 9.2 cpu-flags); anything else is unknown
      const f = resolveFeature(name);
      if (f && f.name === name) out.add(f.name);
      else unknown.push(name);
      continue;
    }
    if (l.kind === 'cpuid' && l.feature) out.add(l.feature);
  }
  // Linux splits the invariant TSC bit into two synthetic flags
  if (has(flags, 'constant_tsc', 'nonstop_tsc')) out.add('invtsc');
  for (const f of [...out]) if (f.startsWith('vmx-')) out.delete(f); // nested VMX controls are not in cpuinfo's flags
  const view2 = applyKvmRules({
    vendor: view.vendor,
    features: out,
    hints: flags,
    bugs: view.bugs,
    kernel: view.kernel,
  });
  return { ...view2, unknown: unknown.sort() };
}

/** Linux's synthetic speculation flags, derived from raw vendor bits the way arch/x86/kernel/cpu does. */
export function linuxHintsFromBits(vendor: string, features: Set<string>, family: number | null): string[] {
  const hints: string[] = [];
  if (features.has('spec-ctrl') || features.has('ibrs')) hints.push('ibrs');
  if (features.has('spec-ctrl') || features.has('ibpb')) hints.push('ibpb');
  if (features.has('stibp') || features.has('amd-stibp')) hints.push('stibp');
  // AMD families 15h-17h without AMD_SSBD get SSBD the LS_CFG way (Linux forces X86_FEATURE_SSBD)
  const lsCfg = isAmdLike(vendor) && family !== null && family >= 0x15 && family <= 0x18;
  if (features.has('ssbd') || features.has('amd-ssbd') || features.has('virt-ssbd') || lsCfg) hints.push('ssbd');
  return hints;
}

/** What KVM offers on this host per its kernel release (data/kvm-offer.json), plus the MSR facts of kvm.json. */
export function applyKvmRules(facts: HostFacts): { features: string[]; notes: string[] } {
  const host = { ...facts, kernel: facts.kernel ?? readKernel };
  const flags = new Set(host.hints);
  // Raw sources (cpuid -r, libvirt) have bits, not flags: the Linux name of each bit stands for its flag
  for (const f of host.features) {
    const l = resolveFeature(f)?.linux;
    if (l) flags.add(l);
  }
  const offer = kvmOfferFor({
    vendor: host.vendor,
    features: new Set(host.features),
    flags,
    bugs: host.bugs,
    kernel: host.kernel,
  });
  const out = offer.features;
  const notes: string[] = [];
  if (offer.releases.length > 1)
    notes.push(
      `host kernel unknown: only what KVM offers in every Linux release from ${offer.releases[0]} on is claimed` +
        (offer.heldBack.length ? ` (held back: ${offer.heldBack.sort().join(' ')})` : ''),
    );
  const amd = isAmdLike(host.vendor);
  if (host.bugs) {
    // A bug absent from the line means "not affected" only if the kernel already knew that bug
    const bugs = new Set(host.bugs);
    for (const [f, { bug, since }] of Object.entries(kvm.notAffected))
      if (!bugs.has(bug) && kernelAtLeast(host.kernel, since) && (f !== 'taa-no' || out.has('rtm'))) out.add(f);
  }
  // On Intel, Linux's ibrs_enhanced is IA32_ARCH_CAPABILITIES.IBRS_ALL, which KVM passes through in
  // that MSR; on AMD the same flag stands for AutoIBRS, a different bit
  if (flags.has('ibrs_enhanced') && !amd) out.add('ibrs-all');
  // QEMU clears what depends on a bit that is off (feature_dependencies[]: arch-capabilities and its MSR bits)
  applyDependencies(out);
  // Names only libvirt knows (cmt, mbm-*) are bits no QEMU can give a guest
  return { features: [...out].filter((f) => GUESTABLE.has(f)).sort(), notes };
}
