/** The plan's JSON contract (`migratable plan --format json`, the dashboard, balancers). */
import { safeJson } from '../../safe-json.js';
import type { Plan, PlanVm } from './types.js';
import { versionsJson, type PlanVersionsJson } from '../versions/plan-text.js';

export interface PlanVmJson {
  vmid: number;
  node: string;
  domain: string[];
  current: string;
  liveTargets: string[];
  blocked: Array<{ node: string; reasons: string[] }>;
  action: 'keep' | 'change-model';
  commands: string[];
  needsRestart: boolean;
}

export interface PlanJson {
  domains: Array<{ nodes: string[]; source: string; model: { name: string; cpu: string; features: string[] } }>;
  vms: PlanVmJson[];
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
  };
}

export function planJson(plan: Plan): PlanJson {
  return {
    domains: plan.domains.map((d) => ({ nodes: d.nodes, source: d.source, model: d.model })),
    vms: plan.vms.map(vmJson),
    versions: versionsJson(plan.versions),
  };
}

export function emitPlanJson(plan: Plan): string {
  return safeJson(planJson(plan)) + '\n';
}
