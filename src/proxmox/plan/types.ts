/** The cluster a plan is made for, and the plan. `--format json` prints PlanJson. */
import type { BaselineResult } from '../../engine/types.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { ClusterConfig } from '../config/cluster.js';
import type { ModelVersionRecord } from '../../fleet/inventory/index.js';
import type { PlanVersions } from '../versions/plan-versions.js';

export type { ClusterConfig, ClusterVm } from '../config/cluster.js';

export interface PlanOptions {
  /** Oldest QEMU to target (as baseline --qemu) */
  qemu?: string;
  allowTsx?: boolean;
  /** Where `migratable apply` finds the section files the plan writes ("." by default) */
  modelsDir?: string;
}

export interface PlanDomain {
  nodes: string[];
  source: string;
  model: { name: string; cpu: string; features: string[] };
  /** The cpu-models.conf section `apply` writes */
  section: CpuModelSection;
  /** True when cpu-models.conf already holds exactly this section */
  present: boolean;
  baseline: BaselineResult;
}

export interface PlanBlocked {
  node: string;
  reasons: string[];
}

export interface PlanVm {
  vmid: number;
  name?: string;
  node: string;
  domain: string[];
  /** The -cpu the VM runs with now (Proxmox's implicit flags included) */
  current: string;
  liveTargets: string[];
  blocked: PlanBlocked[];
  action: 'keep' | 'change-model';
  commands: string[];
  needsRestart: boolean;
  running: boolean | null;
  /** The domain's model name */
  model: string;
  notes: string[];
}

export type PlanStep =
  | { kind: 'apply'; model: string; command: string }
  | { kind: 'set-cpu'; vmid: number; model: string; command: string }
  | { kind: 'restart'; vmid: number; command: string };

export interface Plan {
  domains: PlanDomain[];
  vms: PlanVm[];
  /** The rollout, in order: every section first, then per VM its switch and restart */
  steps: PlanStep[];
  notes: string[];
  /** Per VM its model version, the power-cycle list, removable versions (versions/plan-versions.ts) */
  versions: PlanVersions;
}

export interface PlanInput extends ClusterConfig {
  hosts: HostProfile[];
  /** The inventory's record of the model versions `apply` wrote (their provenance) */
  modelRecords?: ModelVersionRecord[];
}
