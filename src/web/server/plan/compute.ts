/**
 * What the plan worker does with a copy of /etc/pve: the plan and every VM's targets answer,
 * serialized once so the server only hands out strings, and a fingerprint so an unchanged copy is
 * not read again; then drain NODE from the same plan, kept in the worker. Node-only; runs in the
 * worker (./plan-worker.ts), or inline in tests.
 */
import { InputError } from '../../../errors.js';
import { etcPveFingerprint, readEtcPve } from '../../../proxmox/config/etc-pve.js';
import { computeDrain } from '../../../proxmox/drain/drain.js';
import { drainJson } from '../../../proxmox/drain/text.js';
import { planJson } from '../../../proxmox/plan/json.js';
import { planWithTargets } from '../../../proxmox/plan/plan.js';
import type { Plan, PlanInput } from '../../../proxmox/plan/types.js';
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

/** What a drain request may carry (POST /api/drain/:node's body) */
export interface DrainRequest {
  after?: HostProfile[];
  everyNode?: boolean;
}

/** A message from the service (./service.ts): check the copy (and plan it if changed), or drain a node */
export type PlanWorkerRequest = { kind: 'check' } | { kind: 'drain'; node: string; request: DrainRequest };

/** drain NODE's JSON body, or the bad request's error (an InputError: where and message) */
export type DrainWorkerReply =
  | { kind: 'drain'; body: string }
  | { kind: 'bad-request'; where: string; message: string }
  | { kind: 'error'; error: string };

/** The copy the last good plan was made from, and that plan: what a drain starts from */
interface Planned {
  input: PlanInput;
  plan: Plan;
}

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/**
 * The worker's state: the last good plan and its input, so a drain never reads or plans again. A
 * drain answers from the plan the server hands out (the service asks only once it has one); a
 * fresh worker (the last one was replaced) plans once first.
 */
export class PlanWorkerState {
  /** The copy's fingerprint as last reported to the server */
  private reported: string | undefined;
  private planned: Planned | undefined;

  constructor(
    private readonly dir: string,
    private readonly hosts: HostProfile[],
  ) {}

  check(): PlanWorkerReply {
    const reply = computeSnapshot(this.dir, this.hosts, this.reported, (p) => (this.planned = p));
    if (reply.kind !== 'unchanged') this.reported = reply.fingerprint;
    return reply;
  }

  drain(node: string, request: DrainRequest): DrainWorkerReply {
    try {
      if (!this.planned) {
        const reply = computeSnapshot(this.dir, this.hosts, undefined, (p) => (this.planned = p));
        if (reply.kind === 'error') return reply;
      }
      const { input, plan } = this.planned!;
      return { kind: 'drain', body: JSON.stringify(drainJson(computeDrain(input, plan, node, request))) };
    } catch (e) {
      if (e instanceof InputError) {
        const prefix = `${e.where}: `;
        const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
        return { kind: 'bad-request', where: e.where, message };
      }
      return { kind: 'error', error: oneLine(e) };
    }
  }
}

function computeSnapshot(
  dir: string,
  hosts: HostProfile[],
  previous: string | undefined,
  keep: (planned: Planned) => void = () => undefined,
): PlanWorkerReply {
  const fingerprint = etcPveFingerprint(dir);
  if (fingerprint === previous) return { kind: 'unchanged' };
  const start = performance.now();
  try {
    const input = { ...readEtcPve(dir), hosts };
    const { plan, targets } = planWithTargets(input);
    const parts = [JSON.stringify(planJson(plan)), ...targets.map((t) => JSON.stringify(t))].map((j) => Buffer.from(j));
    const bodies = new ArrayBuffer(parts.reduce((n, b) => n + b.length, 0));
    const offsets: Array<[number, number]> = [];
    let at = 0;
    for (const b of parts) {
      new Uint8Array(bodies, at, b.length).set(b);
      offsets.push([at, (at += b.length)]);
    }
    keep({ input, plan });
    return {
      kind: 'plan',
      fingerprint,
      snapshot: {
        bodies,
        plan: offsets[0],
        targets: targets.map((t, i) => [t.vmid, ...offsets[i + 1]]),
        nodes: input.nodes,
        metrics: planFacts(input, plan),
        computedAt: Date.now(),
        tookMs: Math.round(performance.now() - start),
      },
    };
  } catch (e) {
    return { kind: 'error', error: oneLine(e), fingerprint };
  }
}
