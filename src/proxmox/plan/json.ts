/** The plan's JSON contract (`migratable plan --format json`, the dashboard, balancers). */
import { safeJson } from '../../safe-json.js';
import type { Plan, PlanBlocked, PlanVm } from './types.js';
import { versionsJson, type PlanVersionsJson } from '../versions/plan-text.js';

export interface PlanVmJson {
  vmid: number;
  node: string;
  domain: string[];
  current: string;
  liveTargets: string[];
  blocked: PlanBlocked[];
  action: 'keep' | 'change-model';
  commands: string[];
  needsRestart: boolean;
  /** Only when there is something to say */
  notes?: string[];
}

export interface PlanJson {
  domains: Array<{ nodes: string[]; source: string; model: { name: string; cpu: string; features: string[] } }>;
  vms: PlanVmJson[];
  /** What the plan could not use (dropped HA rules, unknown sections, nodes without host data) */
  notes: string[];
  /** Model versions, the VMs on older ones, the power-cycle list, removable versions */
  versions: PlanVersionsJson;
}

export function vmJson(v: PlanVm): PlanVmJson {
  return {
    vmid: v.vmid,
    node: v.node,
    domain: v.domain,
    current: v.current,
    liveTargets: v.liveTargets,
    blocked: v.blocked,
    action: v.action,
    commands: v.commands,
    needsRestart: v.needsRestart,
    ...(v.notes.length ? { notes: v.notes } : {}),
  };
}

export function planJson(plan: Plan): PlanJson {
  return {
    domains: plan.domains.map((d) => ({ nodes: d.nodes, source: d.source, model: d.model })),
    vms: plan.vms.map(vmJson),
    notes: plan.notes,
    versions: versionsJson(plan.versions),
  };
}

export function emitPlanJson(plan: Plan): string {
  return safeJson(planJson(plan)) + '\n';
}
