/** A warning with a stable code other tools can match on. */
export interface Warning {
  code: WarningCode;
  message: string;
  /** What to do about it */
  advice?: string;
  /** The hosts it is about, when leaving them out is the fix (incomplete-profile) */
  hosts?: string[];
}

export type WarningCode =
  | 'cross-vendor'
  | 'kvm-pv-unhalt'
  | 'hypercall-pv'
  | 'tsx'
  | 'invtsc'
  | 'phys-bits'
  | 'phys-bits-unknown'
  | 'approximate-profile'
  | 'virtual-host'
  | 'nonstandard-kvm'
  | 'incomplete-profile'
  | 'nested-virt'
  | 'qemu-version'
  | 'qemu-version-unknown'
  | 'qemu-skew'
  | 'kernel-5.15'
  | 'few-hosts'
  | 'host-model'
  | 'mitigations';

export interface LostFeature {
  feature: string;
  /** Hosts that lack it */
  missingOn: string[];
  /** Why it is out when not simply missing somewhere: tsx, blocks-migration, qemu-version, cross-vendor, host-specific, disabled */
  reason?: string;
}

export interface BlockerRank {
  host: string;
  /** Features the model would gain if this host left the cluster */
  wouldAdd: string[];
}

export interface VendorGroupAlternative {
  vendor: string;
  hosts: string[];
  cpu: string;
  base: string;
  /** Features that group's model has beyond the mixed-vendor model */
  gains: string[];
}

/** The answer of `migratable baseline`; `--format json` prints exactly this (hosts as names). */
export interface BaselineResult {
  /** QEMU -cpu argument (without enforce), e.g. "kvm64,+aes,...,-kvm-pv-unhalt" */
  cpu: string;
  /** The named QEMU model the deltas apply to (versioned) */
  base: string;
  /** Sorted canonical feature names the guest will see (under KVM) */
  features: string[];
  /** Explicit deltas against the base model */
  plus: string[];
  minus: string[];
  lost: LostFeature[];
  warnings: Warning[];
  hosts: string[];
  vendors: string[];
  /** phys-bits to pin: the smallest host width, or no more than QEMU's default 40 when some host's is unknown */
  physBits: number | null;
  /** Hosts whose address width is unknown (absent when every host reported it) */
  physBitsUnknownOn?: string[];
  /** Oldest QEMU version the model was filtered to, if known */
  qemu: string | null;
  /** Why this base was chosen */
  baseReason: string;
  /** Guest features beyond kvm64 (what the field report's admin wanted back) */
  gainsOverKvm64: string[];
  blockers: BlockerRank[];
  alternatives: VendorGroupAlternative[];
  /** The richest built-in type (x86-64-v3, Haswell-noTSX...) that runs on every host, when explained; see builtin-ladder */
  richestBuiltin?: string | null;
  /** Why the built-in type is still not the answer (across vendors Proxmox adds kvm_pv_unhalt to it) */
  builtinCaveat?: string | null;
  /** Model name for emitters that need one (cpu-models.conf section, libvirt) */
  name: string;
}

export interface BaselineOptions {
  allowTsx?: boolean;
  /** Oldest QEMU to target; overrides what profiles say */
  qemu?: string;
  name?: string;
  /** Features to leave out although every host has them (the user's choice); the x86-64 baseline cannot be */
  disabled?: string[];
  /** Skip the explanations (lost features, blockers, vendor alternatives): the model alone is wanted */
  skipExplain?: boolean;
  /** The built-in ladder of these same hosts and QEMU, when the caller has computed it already (the dashboard) */
  ladder?: { richest: string | null; caveat: string | null };
}
