/**
 * Which HA rules Proxmox drops as infeasible, so the guardrails neither lean on an admin rule PVE
 * ignores nor write one it would drop: the guardrails' rules through the same checks plan applies
 * (./checks.ts, each citing pve-ha-manager), with Proxmox's own messages. Pure.
 */
import { feasibilityErrors } from './checks.js';
import type { NodePriority } from './ha-files.js';
import type { WorkRule } from './work-rules.js';

export interface FeasibilityRule {
  id: string;
  type: 'node-affinity' | 'resource-affinity';
  resources: string[];
  nodes?: NodePriority[];
  affinity?: string;
}

/** Rule id -> why PVE drops it; empty when every rule is feasible. Disabled rules are left out by the caller. */
export function infeasibleRules(rules: FeasibilityRule[], nodes: string[]): Map<string, string[]> {
  const work: WorkRule[] = rules.map((r) => ({
    id: r.id,
    type: r.type,
    resources: new Set(r.resources),
    affinity: r.affinity === 'negative' ? 'negative' : 'positive',
    ...(r.type === 'node-affinity' ? { nodes: new Map((r.nodes ?? []).map((n) => [n.node, n.priority])) } : {}),
    disabled: false,
  }));
  const errors = feasibilityErrors(work, nodes);
  return new Map([...errors].map(([id, byOpt]) => [id, [...new Set([...byOpt.values()].flat())]]));
}
