/**
 * The answer to a balancer: where one VM can live-migrate now and why not elsewhere
 * (`targets VMID --format json`, `targets --all`, GET /api/vms/:vmid/targets), and the same in the
 * shape of Proxmox's own migrate precondition, so both answers merge node by node. Pure.
 *
 * GET /nodes/{node}/qemu/{vmid}/migrate (qemu-server 9.2.6 e6352be6, src/PVE/API2/Qemu.pm
 * migrate_vm_precondition) returns `running`, `allowed_nodes` (every other cluster node nothing
 * blocks), `not_allowed_nodes` (node -> what blocks it: `unavailable_storages`,
 * `unavailable-resources`, `blocking-ha-resources: [{sid, cause: node-affinity|resource-affinity}]`)
 * and `dependent-ha-resources` (the keep-together partners that move along). Ours uses the same
 * keys for what it shares with Proxmox and adds `reasons` (what migratable found, e.g. the CPU) to
 * each blocked node; a balancer allows a node only when both answers do.
 */
import type { ClusterVm } from '../config/cluster.js';
import type { VmDomain } from '../ha/domains.js';
import { haSid } from '../ha/domains.js';
import type { VmTargets } from './targets.js';
import type { PlanBlocked } from './types.js';

export interface TargetsJson {
  vmid: number;
  name?: string;
  node: string;
  /** false for templates and VMs known to be stopped; null when the config copy does not say */
  running: boolean | null;
  domain: string[];
  /** Where the domain comes from (HA rule, group, or all nodes) */
  domainSource: string;
  /** The -cpu the VM runs with now (Proxmox's implicit flags included) */
  current: string;
  liveTargets: string[];
  blocked: PlanBlocked[];
  template?: boolean;
  lock?: string;
  /** HA resources moving with it (keep-together) and kept apart from it */
  together?: string[];
  apart?: string[];
  notes?: string[];
}

export interface PreconditionJson {
  vmid: number;
  node: string;
  running?: 0 | 1;
  allowed_nodes: string[];
  not_allowed_nodes: Record<
    string,
    {
      'blocking-ha-resources'?: Array<{ sid: string; cause: 'node-affinity' | 'resource-affinity' }>;
      reasons: string[];
    }
  >;
  'dependent-ha-resources'?: string[];
}

/** What the plan says of the VM's targets, in plan and targets alike (no model involved). */
export function targetNotes(vm: ClusterVm, d: VmDomain, t: VmTargets): string[] {
  const notes = [...d.notes, ...vm.config.warnings.map((w) => `${vm.where}: ${w}`), ...t.notes];
  if (!d.nodes.includes(vm.node)) notes.push(`runs on ${vm.node}, outside its domain: HA will move it`);
  if (t.state.template) notes.push('a template: its cpu: matters to the clones made from it, but it never runs');
  if (t.state.lock)
    notes.push(`locked (${t.state.lock}): Proxmox refuses qm migrate and qm set until the lock is released`);
  if (t.together.length) notes.push(`moves together with ${t.together.join(', ')} (HA keep-together)`);
  return notes;
}

export function targetsJson(vm: ClusterVm, d: VmDomain, t: VmTargets): TargetsJson {
  const notes = [...targetNotes(vm, d, t), ...t.cpu.notes];
  return {
    vmid: vm.vmid,
    ...(vm.config.name ? { name: vm.config.name } : {}),
    node: vm.node,
    running: t.running,
    domain: d.nodes,
    domainSource: d.source,
    current: t.cpu.cpu,
    liveTargets: t.liveTargets,
    blocked: t.blocked,
    ...(t.state.template ? { template: true } : {}),
    ...(t.state.lock ? { lock: t.state.lock } : {}),
    ...(t.together.length ? { together: t.together } : {}),
    ...(t.apart.length ? { apart: t.apart } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/** The precondition's shape over every other cluster node; nodes outside the domain are HA's to refuse. */
export function preconditionJson(t: TargetsJson, clusterNodes: string[]): PreconditionJson {
  const notAllowed: PreconditionJson['not_allowed_nodes'] = {};
  for (const node of clusterNodes) {
    if (node === t.node || t.liveTargets.includes(node)) continue;
    const b = t.blocked.find((x) => x.node === node);
    notAllowed[node] = b
      ? { ...(b.ha ? { 'blocking-ha-resources': b.ha } : {}), reasons: b.reasons }
      : {
          'blocking-ha-resources': [{ sid: haSid(t.vmid), cause: 'node-affinity' }],
          reasons: [`outside its migration domain: ${t.domainSource}`],
        };
  }
  return {
    vmid: t.vmid,
    node: t.node,
    ...(t.running === null ? {} : { running: t.running ? 1 : 0 }),
    allowed_nodes: clusterNodes.filter((n) => t.liveTargets.includes(n)),
    not_allowed_nodes: notAllowed,
    ...(t.together ? { 'dependent-ha-resources': t.together } : {}),
  };
}
