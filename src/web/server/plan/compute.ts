/**
 * What the plan worker does with a copy of /etc/pve: the plan and every VM's targets answer,
 * serialized once so the server only hands out strings, and a fingerprint so an unchanged copy is
 * not read again. Node-only; runs in the worker (./worker.ts), or inline in tests.
 */
import { etcPveFingerprint, readEtcPve } from '../../../proxmox/config/etc-pve.js';
import { planJson } from '../../../proxmox/plan/json.js';
import { planWithTargets } from '../../../proxmox/plan/plan.js';
import type { HostProfile } from '../../../profile/host-profile.js';
import type { PlanFacts } from '../../../metrics/facts.js';
import { planFacts } from '../../../metrics/plan-facts.js';

/**
 * Every body the server hands out, UTF-8 in one buffer: a 5,000-VM plan is some 60 MB of JSON, so it
 * crosses to the server's thread without a copy (a transferred ArrayBuffer) and is sent as slices.
 */
export interface PlanSnapshot {
  bodies: ArrayBuffer;
  /** GET /api/plan's body: [start, end) in bodies */
  plan: [number, number];
  /** vmid -> GET /api/vms/:vmid/targets's body (TargetsJson) */
  targets: Array<[number, number, number]>;
  /** Every cluster node, for the precondition shape */
  nodes: string[];
  /** The plan's share of GET /metrics (src/metrics/plan-facts.ts): a scrape reads it, never plans */
  metrics: PlanFacts;
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
    const parts = [JSON.stringify(planJson(plan)), ...targets.map((t) => JSON.stringify(t))].map((j) => Buffer.from(j));
    const bodies = new ArrayBuffer(parts.reduce((n, b) => n + b.length, 0));
    const offsets: Array<[number, number]> = [];
    let at = 0;
    for (const b of parts) {
      new Uint8Array(bodies, at, b.length).set(b);
      offsets.push([at, (at += b.length)]);
    }
    return {
      kind: 'plan',
      fingerprint,
      snapshot: {
        bodies,
        plan: offsets[0],
        targets: targets.map((t, i) => [t.vmid, ...offsets[i + 1]]),
        nodes: cluster.nodes,
        metrics: planFacts(cluster, plan),
        computedAt: Date.now(),
        tookMs: Math.round(performance.now() - start),
      },
    };
  } catch (e) {
    return { kind: 'error', error: oneLine(e), fingerprint };
  }
}
