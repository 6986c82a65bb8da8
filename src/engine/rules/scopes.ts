/**
 * The scopes a migration rule speaks in, and what each one sees. A rule (rules/table.ts) is one fact
 * about live migration; it answers in every scope the fact matters to, and each command reads the
 * scope it needs: hazards the pool, `check` the VM on a host, `plan` and `targets` the VM's move.
 */
import type { Feature } from '../../catalog/index.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { VmCpu } from '../../profile/vm-cpu.js';
import type { HostSet } from '../hosts.js';
import type { Warning } from '../types.js';

/** Pool of hosts: what a model for these hosts must leave out or warn about (`baseline` warnings). */
export interface PoolInput {
  set: HostSet;
  /** The model's features */
  features: Set<string>;
  qemu: string;
  /** The QEMU version asked for or reported, when older than the catalog's oldest (then `qemu` is the catalog's) */
  wantedQemu?: string;
  qemuFromProfiles: boolean;
  allowTsx: boolean;
}

/** What a pool rule sees: the input plus two questions about the hosts. */
export interface PoolContext extends PoolInput {
  everywhere(f: string): boolean;
  somewhere(f: string): boolean;
}

/** A feature (or `model:NAME`) that keeps a VM from starting on a host, with the reason when it is not simply an older CPU. */
export interface MissingFeature {
  feature: string;
  why?: string;
}

/** VM x host: will this VM start on this host (QEMU's enforce), and what to know about running it there. */
export interface StartContext {
  vm: VmCpu;
  host: HostProfile;
  /** The hosts checked together span more than one vendor */
  crossVendor: boolean;
}

export interface StartFinding {
  missing?: MissingFeature[];
  warnings?: string[];
}

/** VM move: can this running VM live-migrate from its host to that one, now, with the CPU it booted with? */
export interface MoveContext {
  vm: VmCpu;
  /** The host the VM runs on now */
  source: HostProfile;
  target: HostProfile;
  /** The QEMU machine version the VM is pinned to (e.g. 8.1 of pc-q35-8.1), when it is pinned */
  machineVersion?: string;
}

export type Scope = 'pool' | 'start' | 'why-missing' | 'move' | 'model-change';

export interface MigrationRule {
  /** Stable id; where the rule raises a warning, the first warning's code */
  id: string;
  /** The fact, in one line */
  fact: string;
  /** Where the fact comes from: upstream file and version, or the catalog table holding its data */
  source: string;
  /** pool: the warnings for a model over these hosts */
  pool?: (c: PoolContext) => Warning | Warning[] | null;
  /** start: what stops this VM from starting on this host, and what to know about it there */
  start?: (c: StartContext) => StartFinding | null;
  /** why-missing: why the host lacks a feature the VM wants, when the rule knows (the first answer wins) */
  whyMissing?: (feature: string, f: Feature, host: HostProfile) => string | undefined;
  /** move: why the running VM cannot live-migrate source -> target now (anything that stops a start there does too) */
  move?: (c: MoveContext) => string | string[] | null;
  /** model-change: these features, when a new model drops them, take a capability from the guest */
  dropped?: { features: readonly string[]; loses: string };
}

const SCOPE_KEYS: Record<Scope, keyof MigrationRule> = {
  pool: 'pool',
  start: 'start',
  'why-missing': 'whyMissing',
  move: 'move',
  'model-change': 'dropped',
};

/** The scopes a rule answers in. */
export function scopesOf(rule: MigrationRule): Scope[] {
  return (Object.keys(SCOPE_KEYS) as Scope[]).filter((s) => rule[SCOPE_KEYS[s]] !== undefined);
}
