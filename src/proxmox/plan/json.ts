/** The plan's JSON contract (`migratable plan --format json`, the dashboard, balancers). */
import { safeJson } from '../../safe-json.js';
import type { Plan, PlanBlocked, PlanVm } from './types.js';
import { versionsJson, type PlanVersionsJson } from '../versions/plan-text.js';

export interface PlanVmJson {
  vmid: number;
  name?: string;
  node: string;
  /** false for templates and VMs known to be stopped; null when the config copy does not say */
  running: boolean | null;
  domain: string[];
  current: string;
  liveTargets: string[];
  blocked: PlanBlocked[];
  action: 'keep' | 'change-model';
  commands: string[];
  needsRestart: boolean;
  /** Only when there is something to say */
  notes?: string[];
  /** template: 1 (never runs) and lock: NAME (no migration until released), when set */
  template?: boolean;
  lock?: string;
  /** HA resources that move with it (keep-together) and that it is kept apart from, when any */
  together?: string[];
  apart?: string[];
}

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
