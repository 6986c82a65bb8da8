/** The plan's JSON contract (`migratable plan --format json`, the dashboard, balancers). */
import { safeJson } from '../../safe-json.js';
import type { Plan, PlanVm } from './types.js';
import { versionsJson, type PlanVersionsJson } from '../versions/plan-text.js';

/** A VM in the contract: the plan's own fields, notes only when there is something to say. */
export type PlanVmJson = Omit<PlanVm, 'model' | 'notes'> & { notes?: string[] };

export interface PlanJson {
  domains: Array<{ nodes: string[]; source: string; model: { name: string; cpu: string; features: string[] } }>;
  vms: PlanVmJson[];
  /** What the plan could not use (dropped HA rules, unknown sections, nodes without host data) */
  notes: string[];
  /** Nodes no live target can be on (offline, or without host data), when any */
  unavailableNodes?: Array<{ node: string; reason: string }>;
  /** Model versions, the VMs on older ones, the power-cycle list, removable versions */
  versions: PlanVersionsJson;
}

export function vmJson(v: PlanVm): PlanVmJson {
  return {
    vmid: v.vmid,
    ...(v.name ? { name: v.name } : {}),
    node: v.node,
    running: v.running,
    domain: v.domain,
    current: v.current,
    liveTargets: v.liveTargets,
    blocked: v.blocked,
    action: v.action,
    commands: v.commands,
    needsRestart: v.needsRestart,
    ...(v.notes.length ? { notes: v.notes } : {}),
    ...(v.template ? { template: true } : {}),
    ...(v.lock ? { lock: v.lock } : {}),
    ...(v.together?.length ? { together: v.together } : {}),
    ...(v.apart?.length ? { apart: v.apart } : {}),
  };
}

export function planJson(plan: Plan): PlanJson {
  return {
    domains: plan.domains.map((d) => ({ nodes: d.nodes, source: d.source, model: d.model })),
    vms: plan.vms.map(vmJson),
    notes: plan.notes,
    ...(plan.unavailableNodes?.length ? { unavailableNodes: plan.unavailableNodes } : {}),
    versions: versionsJson(plan.versions),
  };
}

export function emitPlanJson(plan: Plan): string {
  return safeJson(planJson(plan)) + '\n';
}
