/** Types of the generated CPU knowledge in data/*.json. The data is the source of truth; these only describe it. */

export type Register = 'eax' | 'ebx' | 'ecx' | 'edx';

export interface CpuidBit {
  leaf: number;
  /** null when the leaf has no sub-leaves */
  subleaf: number | null;
  register: Register;
  bit: number;
}

export interface MsrBit {
  index: number;
  bit: number;
}

/** Every category, in the order reports and the dashboard list them (what guests miss most first). */
export const CATEGORY_ORDER = [
  'crypto',
  'simd',
  'bit-manipulation',
  'security',
  'virtualization',
  'paravirtual',
  'timer',
  'memory',
  'other',
] as const;

export type Category = (typeof CATEGORY_ORDER)[number];

/** Whose definition the bit is: `any` for architectural bits both vendors implement. */
export type FeatureVendor = 'intel' | 'amd' | 'any' | 'kvm' | 'centaur';

/**
 * How KVM treats the bit:
 * - passthrough: a guest can have it when the host CPU has it
 * - emulated: KVM provides it on every host (x2apic, tsc-deadline, kvm-* leaves, ...)
 * - synthesized: KVM derives it from other host bits, possibly across vendors (spec-ctrl on AMD)
 * - never: KVM does not expose it to guests (or only with special host setup)
 */
export type KvmTreatment = 'passthrough' | 'emulated' | 'synthesized' | 'never';

export interface Feature {
  /** QEMU's canonical property name */
  name: string;
  /** Every other spelling QEMU accepts for it on -cpu */
  aliases: string[];
  /** The /proc/cpuinfo name, when Linux shows the bit under a name of its own */
  linux: string | null;
  libvirt: string | null;
  cpuid: CpuidBit | null;
  msr: MsrBit | null;
  category: Category;
  vendor: FeatureVendor;
  /** First QEMU release that knows the name ("7.2" means "7.2 or older") or null when unknown (newer than 7.2) */
  qemu: string | null;
  kvm: KvmTreatment;
  /** QEMU refuses to migrate a guest that has it: its feature tables mark the bit unmigratable (invtsc) */
  blocksMigration: boolean;
  /** Nested virtualization: vmx/svm and the VMX/SVM capability words QEMU makes depend on them */
  nested: boolean;
  /** The KVM hypercall the guest makes when it sees this paravirtual bit (KVM_HC_KICK_CPU ...), else null */
  hypercall: string | null;
  description: string;
}

export type ModelVendor = 'GenuineIntel' | 'AuthenticAMD' | 'HygonGenuine' | 'CentaurHauls' | null;

export interface Model {
  /** Versioned name, e.g. EPYC-Rome-v4 (generic models without versions keep their name, e.g. base) */
  name: string;
  /** Other names resolving to it: the unversioned name for -v1, named aliases (Broadwell-noTSX-IBRS) */
  aliases: string[];
  vendor: ModelVendor;
  family: number | null;
  model: number | null;
  stepping: number | null;
  modelId: string | null;
  /** Canonical features a static expansion of the model enables (accelerator-neutral, as under TCG) */
  features: string[];
  /** Canonical features QEMU's static expansion enables under KVM (kvmclock & co. on; acpi, monitor, svm off) */
  kvmFeatures: string[];
  /**
   * True when the feature lists are QEMU's own answer (models of the installed QEMU, Proxmox's abstract
   * models built on them). Models newer than that come from libvirt's map, whose definitions are known to
   * leave out bits QEMU sets (see catalog-src/generate.ts): never used as a base for an emitted model.
   */
  verified: boolean;
  /** First QEMU release with this model */
  qemu: string;
  /** Where the definition came from */
  source: 'qemu-7.2' | 'qemu-10.0' | 'libvirt-cpu-map' | 'proxmox';
  /** Proxmox abstract models (x86-64-v3, ...) are not QEMU models: a base plus flags */
  abstract?: { base: string; flags: string[] };
  deprecated?: boolean;
}

/** What Linux shows in /proc/cpuinfo and what it means for a guest. */
export interface LinuxFlag {
  name: string;
  /** cpuid: a CPUID bit the catalog knows; synthetic: Linux-defined, no single CPUID bit; unknown-bit: CPUID bit QEMU has no name for */
  kind: 'cpuid' | 'synthetic' | 'unknown-bit';
  /** The QEMU feature it is, for kind cpuid */
  feature: string | null;
  /** A QEMU feature of the same spelling that is a different bit (ibrs, ibpb, stibp, ssbd) */
  falseFriend: string | null;
  description: string;
  /**
   * When Linux releases print it, where that is not simply "from when it exists": steps, each valid from
   * `since` until the next (kernels older than the first step print it; see catalog-src/linux-cpuinfo.ts)
   */
  cpuinfo?: CpuinfoStep[];
  /** Linux sets it itself from other facts, so a guest can show it though no CPUID bit was promised */
  setByKernel?: KernelSetFlag;
}

/** From Linux release `since` on (until the next step), the flag is printed in /proc/cpuinfo or not. */
export interface CpuinfoStep {
  since: string;
  shown: boolean;
}

/** A flag Linux sets on a CPU of `vendors` (null: any) that shows any of `anyOf` (cpuinfo names). */
export interface KernelSetFlag {
  vendors: string[] | null;
  anyOf: string[];
  why: string;
  /** The kernel source that does it */
  source: string;
}

/** A change between QEMU releases that matters when a VM live-migrates across them (data/qemu-changes.json). */
export interface QemuChange {
  id: string;
  /** First release with the change, "major.minor" */
  release: string;
  /** The guest CPU vendor it concerns; null for any */
  vendor: ModelVendor;
  /** QEMU feature names involved */
  features: string[];
  summary: string;
  /** Where it was checked: QEMU commits, files, mailing-list threads */
  source: string;
}

/** A condition in disjunctive normal form: any of the inner lists, each a conjunction of literals */
export type KvmOfferDnf = string[][];
export type KvmVendorOffer = { any: KvmOfferDnf } | { intel: KvmOfferDnf; amd: KvmOfferDnf };

/** data/kvm-offer.json: what KVM offers per feature, Linux release and vendor, and QEMU's own additions. */
export interface KvmOfferData {
  releases: string[];
  unknownKernel: string[];
  features: Record<string, Record<string, KvmVendorOffer>>;
  /** Bits QEMU's kvm_arch_get_supported_cpuid adds on any KVM host: they never block a start */
  qemuAdds: string[];
  /** QEMU's feature_dependencies[], in table order */
  dependencies: Array<{ from: string[]; to: string[] }>;
  hostBits: Record<'intel' | 'amd', Record<string, string[]>>;
  /** Module parameters the table assumes at their default, and the features KVM's offer of which they change */
  parameters: KvmParameterEffect[];
}

/** A kvm module parameter (e.g. kvm_intel/kvm_amd `nested`) and the features whose offer depends on it. */
export interface KvmParameterEffect {
  modules: string[];
  param: string;
  /** The value the table assumes (the default) */
  assumed: boolean;
  features: string[];
}

/** A libvirt release's x86 CPU map: which names it knows (data/libvirt.json). */
export interface LibvirtRelease {
  /** "9.0", or libvirt@<commit> for the newest map the catalog was made from */
  name: string;
  /** Where the names were read */
  source: string;
  /** Model names its index.xml includes, in its order */
  models: string[];
  /** Feature names of its x86_features.xml, in libvirt's spelling */
  features: string[];
}

/** A KVM paravirtual bit libvirt sets through a domain <features> element instead of a CPU feature. */
export interface LibvirtDomainFeature {
  /** Path under <features>: ['pvspinlock'] or ['kvm', 'pv-ipi'] */
  path: string[];
  /** The attribute carrying on/off */
  attr: 'state' | 'eoi';
  /** KubeVirt's spelling under spec.domain.features, when it has one */
  kubevirt?: { path: string[]; key: string };
  /** libvirt's QEMU driver writes only the `=off` form to -cpu: asking for `on` leaves QEMU's default (off) */
  offOnly?: boolean;
}

/** data/libvirt.json: libvirt's CPU map per release that matters, its definitions and its gaps against QEMU. */
export interface LibvirtData {
  $comment?: string;
  /** The first release whose map has QEMU's versioned model names */
  versionedModelsSince: { release: string; source: string };
  /** QEMU feature -> the domain <features> knob libvirt sets it with */
  domainFeatures: { source: string; features: Record<string, LibvirtDomainFeature> };
  /** Oldest first: Debian 12's 9.0, then the newest map */
  releases: LibvirtRelease[];
  /** Every model's definition in QEMU's canonical spelling (parent first, removed='yes' included) */
  definitions: Record<string, string[]>;
  /** Per libvirt model: what QEMU's model of that name enables under KVM that libvirt's definition lacks */
  gaps: Record<string, string[]>;
}

/** When qemu-server adds a flag (data/proxmox.json): every condition given must hold. */
export interface PveFlagCondition {
  /** The reported model (the CPU type, or a custom/built-in model's reported-model) is one of these */
  cpuType?: string[];
  cpuTypePrefix?: string;
  ostype?: string;
  kvm?: boolean;
  /** The VM's machine version is at least / below this */
  machineAtLeast?: string;
  machineBelow?: string;
  /** The QEMU binary is at least this */
  qemuAtLeast?: string;
  /** The VM's ostype is Windows of at least this version */
  windowsAtLeast?: number;
}

/** A flag qemu-server puts on -cpu by itself (get_pve_cpu_flags), in its own shape. */
export interface PveCpuFlag {
  /** As qemu-server writes it (kvm_pv_unhalt) */
  flag: string;
  /** The canonical QEMU feature, null when the catalog's QEMUs do not know the name */
  feature: string | null;
  op: '+' | '-';
  when: PveFlagCondition;
  reason: string;
  /** First Proxmox VE / qemu-server release with it */
  since: string;
  commit?: string;
}

/** One Proxmox VE release's reported-model list: the keys of qemu-server's CPU model table, with their vendor. */
export interface PveReleaseData {
  /** Major release, as --pve takes it */
  release: string;
  version: string;
  qemuServer: string;
  source: string;
  models: Record<string, 'GenuineIntel' | 'AuthenticAMD' | 'default'>;
}

/** data/proxmox.json: qemu-server's CPU tables per release, each with its source. */
export interface ProxmoxData {
  $comment?: string;
  /** Oldest first */
  releases: PveReleaseData[];
  builtinModels: {
    source: string;
    since: string;
    models: Record<string, { reportedModel: string; flags: string; features: string[] }>;
  };
  pveFlags: { source: string; when: string; flags: PveCpuFlag[] };
  nestedVirt: {
    flag: string;
    since: string;
    source: string;
    resolvesTo: string[];
    byVendor: Record<string, string>;
  };
  vmid: { pattern: string; source: string };
  /** The keys of a cpu: property string (qemu-server's $cpu_fmt) */
  cpuConf: { keys: string[]; source: string };
  /** The flags a VM's own cpu: may set (CPUFlags.pm's VM-specific set); cpu-models.conf may set any */
  vmCpuFlags: { flags: string[]; source: string };
}

/** data/nova.json: OpenStack Nova's release series and the first major version with each capability. */
export interface NovaData {
  $comment?: string;
  /** Series names in release order, the first being firstMajor */
  series: string[];
  firstMajor: { value: number; source: string };
  /** Codename -> series (antelope = 2023.1) */
  codenames: Record<string, string>;
  default: { value: string; why: string };
  capabilities: Record<'cpuModels' | 'disableFlags' | 'maxPhysAddr', { sinceMajor: number; source: string }>;
}

/** data/qemu-cpu.json: QEMU's x86 CPU properties that are no CPUID feature, as the real QEMUs answer. */
export interface QemuCpuData {
  $comment: string;
  /** name as QEMU spells it -> its QOM type ("bool", "uint32", "OnOffAuto", ...), first QEMU release and the first without it */
  properties: Record<string, { type: string; qemu: string; removed?: string }>;
  /** QEMU release -> phys-bits of a 64-bit named model started without the property */
  defaultPhysBits: Record<string, number>;
}

/** data/x86-64.json: the x86-64 psABI micro-architecture levels, in catalog feature names. */
export interface X86_64Data {
  $comment: string;
  /** What every 64-bit x86 CPU offers a guest: lm and x86-64-v1's CPUID features */
  baseline: string[];
  /** x86-64-v1 .. x86-64-v4 -> the CPUID features that level adds */
  levels: Record<string, string[]>;
}

/** data/linux-synthetic.json: Linux's synthetic cpuinfo flags and the raw CPUID bits they stand for. */
export interface LinuxSyntheticData {
  $comment: string;
  /** Flags Linux sets when the CPU has any of `anyOf` (features), or is of one of `families` */
  fromBits: Array<{
    flag: string;
    anyOf: string[];
    families?: Array<{ vendor: string; from: number; to: number }>;
  }>;
  /** A feature Linux shows only as the synthetic flags `allOf`, on `vendors` (null: any) */
  toBits: Array<{ feature: string; allOf: string[]; vendors: string[] | null }>;
}

/** data/kubevirt.json: what KubeVirt's defaults say about CPU models. */
export interface KubevirtData {
  $comment: string;
  /** Default obsoleteCPUModels: no node is labelled for them, so a VM using one does not schedule */
  obsoleteModels: string[];
}

/** A /sys/class/dmi/id field the DMI rules read. */
export type DmiField = 'product_name' | 'sys_vendor' | 'board_vendor' | 'bios_vendor' | 'product_version';

/** data/dmi-virtual.json: DMI strings that name a virtual machine (systemd's table plus cited additions). */
export interface DmiVirtualData {
  $comment: string;
  /** The upstream table's file and commit */
  source: { file: string; commit: string };
  /** The fields read, in the order they are tried */
  fields: DmiField[];
  /** systemd's dmi_vendor_table in its order: the first field, then the first entry, whose value starts with `prefix` wins */
  systemd: Array<{
    prefix: string;
    /** systemd's VIRTUALIZATION_* name (lower case) */
    id: string;
    /** The name we show */
    hypervisor: string;
    /** A product_name with this suffix is bare metal despite the match (EC2 .metal instances) */
    bareMetalProductSuffix?: string;
  }>;
  /** Our own rules: every field named must start with its value; tried after systemd's table */
  additions: Array<{
    all: Partial<Record<DmiField, string>>;
    hypervisor: string;
    why: string;
    source: string;
  }>;
}
