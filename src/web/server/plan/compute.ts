/**
 * What the plan worker does with a copy of /etc/pve: the plan and every VM's targets answer,
 * serialized once so the server only hands out strings, and a fingerprint so an unchanged copy is
 * not read again. Node-only; runs in the worker (./worker.ts), or inline in tests.
 */
import { etcPveFingerprint, readEtcPve } from '../../../proxmox/config/etc-pve.js';
import { planJson } from '../../../proxmox/plan/json.js';
import { planWithTargets } from '../../../proxmox/plan/plan.js';
import type { HostProfile } from '../../../profile/host-profile.js';

export interface PlanSnapshot {
  /** GET /api/plan's body */
  plan: string;
  /** vmid -> GET /api/vms/:vmid/targets's body (TargetsJson) */
  targets: Array<[number, string]>;
  /** Every cluster node, for the precondition shape */
  nodes: string[];
  /** When the copy was read, ms since the epoch */
  computedAt: number;
  /** How long reading and planning took, ms */
  tookMs: number;
}

export type PlanWorkerReply =
  | { kind: 'plan'; snapshot: PlanSnapshot; fingerprint: string }
  | { kind: 'unchanged' }
  | { kind: 'error'; error: string; fingerprint: string };

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

export function computeSnapshot(dir: string, hosts: HostProfile[], previous: string | undefined): PlanWorkerReply {
  const fingerprint = etcPveFingerprint(dir);
  if (fingerprint === previous) return { kind: 'unchanged' };
  const start = performance.now();
  try {
    const cluster = readEtcPve(dir);
    const { plan, targets } = planWithTargets({ ...cluster, hosts });
    return {
      kind: 'plan',
      fingerprint,
      snapshot: {
        plan: JSON.stringify(planJson(plan)),
        targets: targets.map((t) => [t.vmid, JSON.stringify(t)]),
        nodes: cluster.nodes,
        computedAt: Date.now(),
        tookMs: Math.round(performance.now() - start),
      },
    };
  } catch (e) {
    return { kind: 'error', error: oneLine(e), fingerprint };
  }
}
