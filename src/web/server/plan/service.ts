/**
 * The cluster plan `serve --pve-config DIR` keeps: computed in a worker thread (./plan-worker.ts), so a
 * 5,000-VM cluster never stalls the event loop, and answered from memory, so GET
 * /api/vms/:vmid/targets costs a map lookup. A request coming CHECK_EVERY_MS or more after the last
 * check asks the worker whether the copy changed (a stat of each file it reads, no contents); only a
 * changed copy is read and planned again. One check at a time: requests never queue behind it, they
 * get the plan in hand. A copy that keeps changing is planned at most a quarter of the time (the next
 * check waits three times as long as the last plan took), so on a small machine the server keeps the
 * CPU it needs. A check that runs past PLAN_TIMEOUT_MS has its worker replaced. drain NODE (GET/POST
 * /api/drain) is computed in the same worker from the plan it keeps, so one client's drains never
 * stall the others; the server's thread only forwards the request and sends the body. Node-only.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../../../errors.js';
import type { PlanFacts } from '../../../metrics/facts.js';
import type { HostProfile } from '../../../profile/host-profile.js';
import type { DrainRequest, DrainWorkerReply, PlanSnapshot, PlanWorkerReply, PlanWorkerRequest } from './compute.js';

export const CHECK_EVERY_MS = 1000;
export const PLAN_TIMEOUT_MS = 120_000;
/** The first request waits this long for the first plan, then is told to retry. */
export const FIRST_PLAN_WAIT_MS = 5000;

export interface PlanState {
  snapshot?: PlanSnapshot & { targetsById: Map<number, Uint8Array<ArrayBuffer>>; planBody: Uint8Array<ArrayBuffer> };
  /** The last read or plan failed: one line (the last good plan, if any, is still served) */
  error?: string;
}

export interface PlanProvider {
  /** The plan in hand (waiting a little for the very first one), starting a check when it is due. */
  state(): Promise<PlanState>;
  close(): Promise<void>;
}

/** There is no plan to answer from yet (the first is being computed, or the copy cannot be read). */
export class PlanUnavailableError extends Error {}

/** GET/POST /api/drain's answers: serve --pve-config's PlanService */
export interface DrainSource {
  /** The cluster's nodes, from the plan in hand */
  nodes(): Promise<string[]>;
  /** drain NODE's JSON body (drainJson), from the plan in hand; InputError for a bad node or request */
  drain(node: string, request?: DrainRequest): Promise<string>;
}

export class PlanService implements PlanProvider, DrainSource {
  private worker: Worker | null = null;
  private current: PlanState = {};
  private checking: Promise<void> | null = null;
  private lastCheck = 0;
  /** How long the last plan took: the next check waits three times that */
  private lastTook = 0;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly hosts: HostProfile[],
    private readonly checkEveryMs = CHECK_EVERY_MS,
  ) {
    void this.check();
  }

  async state(): Promise<PlanState> {
    if (Date.now() - this.lastCheck >= Math.max(this.checkEveryMs, 3 * this.lastTook)) void this.check();
    if (!this.current.snapshot && !this.current.error && this.checking)
      await Promise.race([this.checking, new Promise((r) => setTimeout(r, FIRST_PLAN_WAIT_MS).unref())]);
    return this.current;
  }

  /**
   * The plan's share of GET /metrics, from the plan in hand: a scrape shares the dashboard's plan and
   * never plans on the server's thread. Throws the plan's error (the metrics report it as a series).
   */
  async metricsFacts(): Promise<PlanFacts> {
    const state = await this.state();
    if (state.error) throw new Error(state.error);
    if (!state.snapshot) throw new Error('the first plan is still being computed; the next scrape has it');
    return state.snapshot.metrics;
  }

  async nodes(): Promise<string[]> {
    return (await this.planned()).nodes;
  }

  /**
   * drain NODE from the plan in hand, computed in the worker: it keeps the plan's input, so a drain
   * neither reads the copy nor plans again, and waits only behind the worker's other jobs.
   */
  async drain(node: string, request: DrainRequest = {}): Promise<string> {
    await this.planned();
    const reply = await this.ask<DrainWorkerReply>({ kind: 'drain', node, request }, (error) => ({
      kind: 'error',
      error,
    }));
    if (reply.kind === 'bad-request') throw new InputError(reply.where, reply.message);
    if (reply.kind === 'error') throw new Error(reply.error);
    return reply.body;
  }

  private async planned(): Promise<PlanSnapshot> {
    const state = await this.state();
    if (!state.snapshot)
      throw new PlanUnavailableError(state.error ?? 'the cluster plan is being computed; retry shortly');
    return state.snapshot;
  }

  /** Resolves when the check is done (tests and the first request wait on it). */
  check(): Promise<void> {
    if (this.checking || this.closed) return this.checking ?? Promise.resolve();
    this.lastCheck = Date.now();
    this.checking = this.ask<PlanWorkerReply>({ kind: 'check' }, (error) => ({ kind: 'error', error, fingerprint: '' }))
      .then((reply) => this.apply(reply))
      .finally(() => {
        this.checking = null;
        this.lastCheck = Date.now();
      });
    return this.checking;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private apply(reply: PlanWorkerReply): void {
    if (reply.kind === 'unchanged') return;
    if (reply.kind === 'error') {
      this.current = { ...this.current, error: reply.error };
      return;
    }
    this.lastTook = reply.snapshot.tookMs;
    const { bodies, plan, targets } = reply.snapshot;
    const slice = ([start, end]: [number, number]) => new Uint8Array(bodies, start, end - start);
    this.current = {
      snapshot: {
        ...reply.snapshot,
        planBody: slice(plan),
        targetsById: new Map(targets.map(([vmid, start, end]) => [vmid, slice([start, end])])),
      },
    };
  }

  /** One job for the worker; a worker that stops or runs past PLAN_TIMEOUT_MS is replaced, the job failed. */
  private ask<R>(request: PlanWorkerRequest, failed: (error: string) => R): Promise<R> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const done = (reply: R) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(reply);
      };
      const onMessage = (m: { id: number; reply: R }) => {
        if (m.id === id) done(m.reply);
      };
      const onExit = () => {
        if (this.worker === worker) this.worker = null;
        done(failed('internal error: the plan worker stopped'));
      };
      const timer = setTimeout(() => {
        if (this.worker === worker) this.worker = null;
        void worker.terminate();
        const job = request.kind === 'drain' ? 'the drain' : 'planning';
        done(failed(`${job} took over ${PLAN_TIMEOUT_MS / 1000} s; gave up`));
      }, PLAN_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ id, ...request });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker({ dir: this.dir, hosts: this.hosts });
    w.unref();
    w.on('error', () => undefined); // reported through 'exit'
    this.worker = w;
    return w;
  }
}

/** From dist the worker is plain JS; from source (tests, tsx) it is loaded through tsx's register(). */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./plan-worker.js', import.meta.url), { workerData });
  const entry = JSON.stringify(new URL('./plan-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${entry}); });`, {
    eval: true,
    workerData,
  });
}
