/** Warnings with stable codes: what can still go wrong with a model, and what to do about it. */
import { qemuSkew } from './qemu-skew.js';
import { someNames } from './some-names.js';
import { kvm } from '../catalog/index.js';
import { X86_64_BASELINE, missingBaseline } from '../profile/x86-64.js';
import type { HostSet } from './hosts.js';
import type { HostProfile } from '../profile/host-profile.js';
import { QEMU_DEFAULT_PHYS_BITS } from './phys-bits.js';
import type { Warning } from './types.js';

/** The field report's guest command line for keeping mitigations across a vendor change */
export const CROSS_VENDOR_CMDLINE = 'pti=on spectre_v2=retpoline,generic spec_store_bypass_disable=seccomp';

export interface HazardInput {
  set: HostSet;
  features: Set<string>;
  qemu: string;
  /** The QEMU version asked for or reported, when older than the catalog's oldest (then `qemu` is the catalog's) */
  wantedQemu?: string;
  qemuFromProfiles: boolean;
  allowTsx: boolean;
}

/** What every rule sees: the input plus two questions about the hosts. */
interface HazardContext extends HazardInput {
  everywhere(f: string): boolean;
  somewhere(f: string): boolean;
}

/** One hazard: the warnings it raises for these hosts and this model (none, one or several). */
type HazardRule = (c: HazardContext) => Warning | Warning[] | null;

/** Guests keep their boot host's vendor, errata and mitigations; the hypercall PV features must be off. */
const crossVendor: HazardRule = ({ set }) => {
  if (!set.crossVendor) return null;
  const hc = kvm.hypercall.filter((f) => f !== 'kvm-pv-unhalt');
  return [
    {
      code: 'cross-vendor',
      message: `hosts of ${set.vendors.length} vendors (${set.vendors.join(', ')}): a guest keeps the CPU vendor, errata workarounds and mitigation choices of the host it booted on after live migration; upstream KVM treats cross-vendor migration as best effort`,
      advice: `boot Linux guests with "${CROSS_VENDOR_CMDLINE}" so mitigations stay on after a move (newer kernels also accept "mitigations=auto" plus "spectre_v2=retpoline,lfence" on AMD; "retpoline,amd" was renamed "retpoline,lfence" in 5.17); test Windows guests separately; or keep vendor-separate HA groups (see alternatives)`,
    },
    {
      code: 'kvm-pv-unhalt',
      message:
        'kvm-pv-unhalt is switched off: PV spinlock kicks are hypercalls (VMCALL on Intel, VMMCALL on AMD) patched once at boot, and guests crashed in kvm_kick_cpu after Intel->AMD migration',
      advice:
        'keep the explicit -kvm_pv_unhalt: Proxmox adds +kvm_pv_unhalt to every VM by default, so leaving the flag out is not enough',
    },
    {
      code: 'hypercall-pv',
      message: `${hc.join(', ')} are switched off too: they also work by hypercall, which the other vendor's KVM must trap and rewrite (KubeVirt blocked cross-vendor migration in 2025 after guest panics in this path)`,
    },
  ];
};

/** Microcode and kernel updates remove TSX: out unless asked for, and said either way. */
const tsx: HazardRule = ({ features, allowTsx, everywhere, somewhere }) => {
  const present = kvm.fragile.filter((f) => ['hle', 'rtm'].includes(f) && somewhere(f));
  if (present.length && !allowTsx)
    return {
      code: 'tsx',
      message: `TSX (${present.join(', ')}) is left out${present.some(everywhere) ? ' although every host has it' : ''}: microcode and kernel updates remove it (TAA mitigation), after which VMs that have it neither start nor migrate`,
      advice: 'use --allow-tsx only if you control microcode updates on every host',
    };
  if (allowTsx && present.some((f) => features.has(f)))
    return {
      code: 'tsx',
      message:
        'TSX is in the model (--allow-tsx): a microcode update that disables TSX on any host will stop these VMs from starting or migrating there',
    };
  return null;
};

const invtsc: HazardRule = ({ somewhere }) =>
  somewhere('invtsc')
    ? {
        code: 'invtsc',
        message:
          'invtsc (invariant TSC) is left out: QEMU refuses to live-migrate a guest that has it unless the TSC frequency is pinned and every host can scale to it',
        advice: 'add invtsc only together with tsc-frequency=<Hz> on hosts with TSC scaling',
      }
    : null;

const physBits: HazardRule = ({ set }) => {
  if (!set.physBitsKnown) return physBitsUnknown(set);
  const widths = [...new Set(set.hosts.map((h) => h.physBits))];
  return widths.length > 1
    ? {
        code: 'phys-bits',
        message: `hosts differ in physical address bits (${widths.sort().join(', ')}): the model pins phys-bits=${set.physBits}, the smallest; never use "phys-bits host" on these VMs`,
      }
    : null;
};

/** Every x86-64 CPU has the psABI v1 set: a profile without it is cut off or garbled, not a real CPU. */
const incompleteProfile: HazardRule = ({ set }) => {
  const incomplete = set.groups
    .filter((g) => missingBaseline(g.features).length > 0)
    .flatMap((g) => g.hosts.map((h) => h.name));
  return incomplete.length
    ? {
        code: 'incomplete-profile',
        message: `the data for ${someNames(incomplete)} lacks features every x86-64 CPU has (${X86_64_BASELINE.join(' ')}): it looks truncated, and the model is cut down to it`,
        advice: 'collect that host again (migratable probe or scan) before using this model',
        hosts: incomplete,
      }
    : null;
};

const approximateProfile: HazardRule = ({ set }) => {
  const approximate = set.hosts.filter((h) => !h.exact).map((h) => h.name);
  return approximate.length
    ? {
        code: 'approximate-profile',
        message: `${approximate.length} profile(s) derived from cpuinfo-like data (${someNames(approximate)}): KVM may offer slightly more or less than /proc/cpuinfo shows`,
        advice:
          "run `migratable probe` (or scan) on those hosts for QEMU's exact answer, and `migratable verify` the model",
      }
    : null;
};

/**
 * A host that is itself a VM runs its KVM on what the outer hypervisor passes down (nested VT-x/AMD-V,
 * or a paravirtual module such as kvm_pvm), which its /proc/cpuinfo does not show (sources/host-kind.ts).
 */
const virtualHosts: HazardRule = ({ set }) => {
  const label = (h: HostProfile) => (h.hostKind?.hypervisor ? `${h.name} on ${h.hostKind.hypervisor}` : h.name);
  const guessed = set.hosts.filter((h) => !h.exact && h.hostKind?.virtual);
  const exactOdd = set.hosts.filter(
    (h) => h.exact && (h.hostKind?.virtual || (h.hostKind?.kvm?.module && !h.hostKind.kvm.standard)),
  );
  const w: Warning[] = [];
  if (guessed.length)
    w.push({
      code: 'virtual-host',
      message: `${guessed.length} host(s) are virtual machines (${someNames(guessed.map(label))}): their /proc/cpuinfo cannot tell what their own KVM offers (nested or paravirtual KVM gets what the outer hypervisor passes down, often far less), so the model may not start there`,
      advice:
        "run `migratable probe` on those hosts (or `migratable scan` them) and use QEMU's exact answer; then `migratable verify` the model there",
      hosts: guessed.map((h) => h.name),
    });
  if (exactOdd.length)
    w.push({
      code: 'nonstandard-kvm',
      message: `${exactOdd.length} host(s) run KVM as a guest or through another module (${someNames(exactOdd.map((h) => `${label(h)}${h.hostKind?.kvm?.module ? `, ${h.hostKind.kvm.module}` : ''}`))}): their profiles are QEMU's exact answer today, but what they offer depends on the outer hypervisor and can change when it changes`,
      advice:
        'probe them again after any change of the outer VM (CPU type, nesting, migration) and verify the model there',
    });
  return w;
};

const nestedVirt: HazardRule = ({ set, somewhere }) =>
  somewhere('vmx') || somewhere('svm')
    ? {
        code: 'nested-virt',
        message: set.crossVendor
          ? 'nested virtualization (vmx/svm) is left out: Intel VMX and AMD SVM state cannot move between vendors'
          : 'nested virtualization (vmx/svm) is left out: nested guests make live migration fragile; enable it only on VMs that need it, with the same flag on every host',
      }
    : null;

const qemuOlderThanCatalog: HazardRule = ({ wantedQemu, qemu }) =>
  wantedQemu && wantedQemu !== qemu
    ? {
        code: 'qemu-version',
        message: `QEMU ${wantedQemu} is older than ${qemu}, the oldest release the catalog knows feature names for: a name that QEMU lacks stops the VM at start`,
        advice: `check the model on that host with \`migratable verify\` (or \`kvm -cpu help\`), or upgrade QEMU`,
      }
    : null;

/** Which QEMU the hosts run: unknown, mixed, and what changed between the releases they run. */
const qemuVersions: HazardRule = ({ set, qemu, qemuFromProfiles }) => {
  if (!qemuFromProfiles)
    return {
      code: 'qemu-version-unknown',
      message: `no profile says which QEMU its host runs: the model uses only names QEMU ${qemu} knows`,
      advice:
        'pass --qemu X.Y with the oldest QEMU in the cluster (Proxmox: `kvm --version`), or use probe/scan profiles',
    };
  const w: Warning[] = [];
  const versions = new Set(set.hosts.map((h) => h.qemu).filter(Boolean));
  if (versions.size > 1 || set.hosts.some((h) => !h.qemu))
    w.push({
      code: 'qemu-version',
      message: `hosts run different or unknown QEMU versions; the model is limited to what QEMU ${qemu} knows`,
    });
  return [...w, ...qemuSkew(set)];
};

const kernel515: HazardRule = ({ set }) => {
  const k515 = set.hosts.filter((h) => h.kernel?.startsWith('5.15')).map((h) => h.name);
  return k515.length
    ? {
        code: 'kernel-5.15',
        message: `kernel 5.15 on ${someNames(k515)}: guests froze after live migration between some Intel generations on 5.15 (fixed by moving to 5.19+)`,
        advice: 'upgrade those hosts to a newer kernel before relying on live migration',
      }
    : null;
};

const mitigations: HazardRule = ({ set }) =>
  new Set(set.hosts.filter((h) => h.mitigations).map((h) => JSON.stringify(h.mitigations))).size > 1
    ? {
        code: 'mitigations',
        message:
          'hosts report different CPU vulnerability mitigations: a guest keeps the mitigation choices of the host it booted on',
      }
    : null;

const fewHosts: HazardRule = ({ set }) =>
  set.hosts.length === 1
    ? {
        code: 'few-hosts',
        message: 'only one host given: the model is what this host can run, not yet a cluster baseline',
      }
    : null;

/** Every hazard, in the order its warnings are listed. */
const RULES: HazardRule[] = [
  crossVendor,
  tsx,
  invtsc,
  physBits,
  incompleteProfile,
  approximateProfile,
  virtualHosts,
  nestedVirt,
  qemuOlderThanCatalog,
  qemuVersions,
  kernel515,
  mitigations,
  fewHosts,
];

export function hazards(input: HazardInput): Warning[] {
  const { set } = input;
  const c: HazardContext = {
    ...input,
    everywhere: (f) => set.counts.get(f) === set.hosts.length,
    somewhere: (f) => (set.counts.get(f) ?? 0) > 0,
  };
  return RULES.flatMap((rule) => rule(c) ?? []);
}

function physBitsUnknown(set: HostSet): Warning {
  const { physBits, smallestKnown, unknownOn } = set.physBitsChoice;
  const reported = smallestKnown === null ? 'no host reported one' : `the smallest reported is ${smallestKnown}`;
  return {
    code: 'phys-bits-unknown',
    message: `physical address bits unknown for ${someNames(unknownOn)}: the model pins phys-bits=${physBits}, no more than QEMU's default ${QEMU_DEFAULT_PHYS_BITS} (what VMs started there without phys-bits already have) and ${reported}; a host with fewer bits (Intel client and Xeon E3 CPUs have 39) would let a guest panic after migrating there`,
    advice:
      'give profiles with address sizes for those hosts (cpuinfo, lscpu, probe, scan), or lower phys-bits by hand to their width',
    hosts: unknownOn,
  };
}
