/**
 * What kind of host a profile comes from: is the host itself a guest of some hypervisor, and which
 * kernel module serves its /dev/kvm. Pure functions over facts a probe collected (or a test replays);
 * the Node reader of this machine's own facts is local-host.ts.
 *
 * Why it matters: the KVM-offer table (data/kvm-offer.json) predicts what `kvm_intel`/`kvm_amd` on
 * bare metal offer from /proc/cpuinfo. A host that is itself a VM runs its KVM on whatever the outer
 * hypervisor passes down (nested VMX/SVM, or a paravirtual module such as `kvm_pvm` that needs no
 * VT-x at all), so its cpuinfo cannot tell what its KVM offers: only asking QEMU/KVM there can.
 *
 * Sources for the signals read here:
 * - CPUID.1:ECX[31] is reserved by Intel and AMD for hypervisor use ("not used by hardware", AMD APM
 *   vol. 3 appendix E; Intel SDM vol. 2A table 3-10 "Not Used; always returns 0" on hardware). Linux
 *   turns it into the `hypervisor` flag in /proc/cpuinfo (arch/x86/include/asm/cpufeatures.h
 *   X86_FEATURE_HYPERVISOR, word 4 bit 31) and then reads leaf 0x40000000 for the vendor signature
 *   (arch/x86/kernel/cpu/hypervisor.c, "Hypervisor detected: %s"). util-linux lscpu reads the same
 *   leaf and prints "Hypervisor vendor:" (sys-utils/lscpu-virt.c).
 * - DMI: /sys/class/dmi/id (product_name, sys_vendor, board_vendor, bios_vendor, product_version) name
 *   the machine; QEMU's SMBIOS says "QEMU", VMware "VMware, Inc.", Hyper-V "Hyper-V ..." in
 *   product_version. The strings and systemd's way of matching them are data (data/dmi-virtual.json,
 *   from systemd's src/basic/virt.c). Some VMs (Firecracker) have no DMI at all, so it only adds evidence.
 * - /sys/module/kvm_<vendor>/: the vendor module registers itself with kvm.ko (kvm_x86_vendor_init);
 *   built-in modules keep their sysfs directory even when they failed to initialize, so a module is
 *   only believed to serve /dev/kvm when the CPU has what it needs: `vmx` for kvm_intel
 *   (arch/x86/kvm/vmx/vmx.c cpu_has_kvm_support), `svm` for kvm_amd (svm.c kvm_is_svm_supported).
 *   Other modules (kvm_pvm: the PVM patch set runs guests without VT-x/AMD-V) are taken as they come.
 * - `nested` is a parameter of kvm_intel/kvm_amd (vmx.c, svm.c module_param nested): whether THIS
 *   host's KVM lets its own guests run KVM (L1 hosting L2). It says nothing about whether this host
 *   is a guest itself; that is the hypervisor flag above.
 */

import { dmiVirtual } from '../catalog/dmi-virtual.js';
import type { DmiField } from '../catalog/types.js';
import type { HostProfile } from '../profile/host-profile.js';

/** Modules that make Intel's / AMD's hardware virtualization the KVM backend, and the flag each needs. */
export const STANDARD_KVM_MODULES: Record<string, string> = { kvm_intel: 'vmx', kvm_amd: 'svm' };

/** Raw facts about /dev/kvm and the kvm modules, as the probe script collects them. */
export interface KvmFacts {
  /** /dev/kvm exists (as a character device) */
  device: boolean;
  /** /sys/module/kvm and every /sys/module/kvm_*: module -> parameter -> value (readable ones) */
  modules: Record<string, Record<string, string>>;
}

/** Hints that the host is itself a virtual machine, besides the cpuinfo flag. */
export interface VirtualHints {
  /** lscpu "Hypervisor vendor:" (from CPUID leaf 0x40000000), e.g. "KVM", "VMware", "Microsoft" */
  hypervisorVendor?: string | null;
  /** /sys/class/dmi/id/sys_vendor */
  dmiVendor?: string | null;
  /** /sys/class/dmi/id/product_name */
  dmiProduct?: string | null;
  /** /sys/class/dmi/id/board_vendor */
  dmiBoardVendor?: string | null;
  /** /sys/class/dmi/id/bios_vendor */
  dmiBiosVendor?: string | null;
  /** /sys/class/dmi/id/product_version (Hyper-V says "Hyper-V ..." here) */
  dmiProductVersion?: string | null;
  /** /sys/hypervisor/type (Xen guests) */
  sysHypervisor?: string | null;
}

export interface VirtualHost {
  /** The host is a guest of another hypervisor */
  virtual: boolean;
  /** Who runs it, when something says so: "KVM", "VMware", "Microsoft Hv", "Xen", "QEMU" ... */
  hypervisor: string | null;
  /** What was seen, one short phrase each */
  evidence: string[];
}

/** Which VirtualHints key holds each /sys/class/dmi/id field. */
export const DMI_HINT: Record<DmiField, keyof VirtualHints> = {
  product_name: 'dmiProduct',
  sys_vendor: 'dmiVendor',
  board_vendor: 'dmiBoardVendor',
  bios_vendor: 'dmiBiosVendor',
  product_version: 'dmiProductVersion',
};

/**
 * The hypervisor the DMI strings name, as systemd's detect_vm_dmi_vendor() reads them
 * (data/dmi-virtual.json): the first field in systemd's order, then the first table entry, whose value
 * starts with the entry's prefix; then our cited additions, each needing all its fields. `seen` says
 * which fields matched, for the evidence.
 */
export function dmiHypervisor(hints: VirtualHints): { hypervisor: string; seen: string } | null {
  const value = (f: DmiField) => hints[DMI_HINT[f]]?.trim() ?? '';
  const product = value('product_name');
  for (const field of dmiVirtual.fields) {
    const v = value(field);
    const hit = v && dmiVirtual.systemd.find((e) => v.startsWith(e.prefix));
    if (!hit) continue;
    // systemd's EC2 rule: a .metal product is bare metal, and systemd stops at the first hit
    if (hit.bareMetalProductSuffix && product.endsWith(hit.bareMetalProductSuffix)) return null;
    return { hypervisor: hit.hypervisor, seen: `${field} ${v}` };
  }
  const added = dmiVirtual.additions.find((a) =>
    Object.entries(a.all).every(([f, prefix]) => value(f as DmiField).startsWith(prefix)),
  );
  if (!added) return null;
  return {
    hypervisor: added.hypervisor,
    seen: Object.keys(added.all)
      .map((f) => `${f} ${value(f as DmiField)}`)
      .join(', '),
  };
}

/**
 * Is the host a VM? The cpuinfo `hypervisor` flag is the signal every x86 hypervisor sets; the
 * hints only add evidence and a name (a hypervisor may hide the flag, then DMI or lscpu still tell).
 */
export function virtualHost(cpuinfoFlags: Iterable<string>, hints: VirtualHints = {}): VirtualHost {
  const evidence: string[] = [];
  let hypervisor: string | null = null;
  const flags = new Set(cpuinfoFlags);
  if (flags.has('hypervisor')) evidence.push('the hypervisor flag is set (CPUID.1:ECX[31])');
  if (hints.hypervisorVendor) {
    hypervisor = hints.hypervisorVendor;
    evidence.push(`lscpu: Hypervisor vendor ${hints.hypervisorVendor} (CPUID leaf 0x40000000)`);
  }
  if (hints.sysHypervisor) {
    hypervisor ??= hints.sysHypervisor;
    evidence.push(`/sys/hypervisor/type is ${hints.sysHypervisor}`);
  }
  const dmi = dmiHypervisor(hints);
  if (dmi) {
    hypervisor ??= dmi.hypervisor;
    evidence.push(`DMI names a virtual machine: ${dmi.seen}`);
  }
  return { virtual: evidence.length > 0, hypervisor, evidence };
}

export interface KvmHost {
  /** /dev/kvm exists */
  device: boolean;
  /** The module serving /dev/kvm (kvm_intel, kvm_amd, kvm_pvm ...), null when none or unclear */
  module: string | null;
  /** Every vendor module that could serve it (more than one: unclear which does) */
  candidates: string[];
  /** True for kvm_intel/kvm_amd, whose offer the KVM table describes */
  standard: boolean;
  /** The module's `nested` parameter: may this host's guests run KVM themselves (L1 hosting L2) */
  nested: boolean | null;
  /** Why module is what it is, one line */
  why: string;
}

/** Y/N, 1/0 as sysfs prints bool and int parameters. */
function paramBool(v: string | undefined): boolean | null {
  if (v === undefined) return null;
  const s = v.trim();
  if (/^(y|1)$/i.test(s)) return true;
  if (/^(n|0)$/i.test(s)) return false;
  return null;
}

/** Which module serves /dev/kvm, from the sysfs modules and the CPU's flags. */
export function kvmHost(facts: KvmFacts, cpuinfoFlags: Iterable<string>): KvmHost {
  const flags = new Set(cpuinfoFlags);
  const vendorModules = Object.keys(facts.modules)
    .filter((m) => m.startsWith('kvm_'))
    .sort();
  // A built-in kvm_intel keeps /sys/module/kvm_intel on a CPU without VT-x: it cannot be the one
  const ignored = vendorModules.filter((m) => m in STANDARD_KVM_MODULES && !flags.has(STANDARD_KVM_MODULES[m]));
  const candidates = vendorModules.filter((m) => !ignored.includes(m));
  const skipped = ignored.length
    ? ` (${ignored.map((m) => `${m} ignored: no ${STANDARD_KVM_MODULES[m]} flag`).join(', ')})`
    : '';
  let module: string | null = null;
  let why: string;
  if (!facts.device) why = 'no /dev/kvm';
  else if (candidates.length === 1) {
    module = candidates[0];
    why = `/sys/module/${module}${skipped}`;
  } else if (!candidates.length)
    why = `/dev/kvm exists but no kvm vendor module in /sys/module${vendorModules.length ? skipped : ''}`;
  else why = `several kvm vendor modules: ${candidates.join(', ')}`;
  return {
    device: facts.device,
    module,
    candidates,
    standard: module !== null && module in STANDARD_KVM_MODULES,
    nested: module ? paramBool(facts.modules[module]?.nested) : null,
    why,
  };
}

/**
 * Whether the KVM table's prediction from /proc/cpuinfo can describe this host: bare metal, with
 * kvm_intel or kvm_amd. Returns the reason it cannot, or null when it can.
 */
export function tableUnfitReason(virtual: VirtualHost, kvm: KvmHost | null): string | null {
  if (virtual.virtual)
    return `the host is itself a virtual machine${virtual.hypervisor ? ` (${virtual.hypervisor})` : ''}: its KVM offers what the outer hypervisor passes down, which its /proc/cpuinfo does not show`;
  if (kvm?.module && !kvm.standard)
    return `/dev/kvm is served by ${kvm.module}, not kvm_intel/kvm_amd: the KVM table describes only those`;
  return null;
}

/**
 * Module parameters that change what KVM offers a guest (the KVM table assumes their defaults:
 * catalog-src/kvm-offer/curated.json), kept in profiles; the many tuning knobs are not.
 */
const OFFER_PARAMS = new Set([
  'nested',
  'ept',
  'npt',
  'enable_pmu',
  'pmu',
  'vls',
  'vgif',
  'lbrv',
  'nrips',
  'tsc_scaling',
  'avic',
  'enable_apicv',
]);

/** The profile's `hostKind`: a VM or not, and (when the host itself said) its KVM. */
export function hostKindOf(
  cpuinfoFlags: Iterable<string>,
  hints: VirtualHints | null,
  facts: KvmFacts | null,
): NonNullable<HostProfile['hostKind']> {
  const flags = [...cpuinfoFlags];
  const v = virtualHost(flags, hints ?? {});
  if (!facts) return v;
  const k = kvmHost(facts, flags);
  const params: Record<string, Record<string, string>> = {};
  for (const m of ['kvm', ...(k.module ? [k.module] : [])]) {
    const kept = Object.entries(facts.modules[m] ?? {}).filter(([p]) => OFFER_PARAMS.has(p));
    if (kept.length) params[m] = Object.fromEntries(kept);
  }
  return { ...v, kvm: { ...k, ...(Object.keys(params).length ? { params } : {}) } };
}

/** The flags of a cpuinfo text's first `flags` line (enough to see the hypervisor flag and vmx/svm). */
export function firstFlagsLine(cpuinfo: string): string[] {
  const m = /^flags\s*:(.*)$/m.exec(cpuinfo.slice(0, 1 << 20));
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}
