/**
 * The cluster plan `serve --pve-config DIR` keeps: computed in a worker thread (./plan-worker.ts), so a
 * 5,000-VM cluster never stalls the event loop, and answered from memory, so GET
 * /api/vms/:vmid/targets costs a map lookup. A request coming CHECK_EVERY_MS or more after the last
 * check asks the worker whether the copy changed (a stat of each file it reads, no contents); only a
 * changed copy is read and planned again. One check at a time: requests never queue behind it, they
 * get the plan in hand. A copy that keeps changing is planned at most a quarter of the time (the next
 * check waits three times as long as the last plan took), so on a small machine the server keeps the
 * CPU it needs. A check that runs past PLAN_TIMEOUT_MS has its worker replaced. Node-only.
 */
import { Worker } from 'node:worker_threads';
import type { PlanFacts } from '../../../metrics/facts.js';
import type { HostProfile } from '../../../profile/host-profile.js';
import type { PlanSnapshot, PlanWorkerReply } from './compute.js';

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

export class PlanService implements PlanProvider {
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

  /** Resolves when the check is done (tests and the first request wait on it). */
  check(): Promise<void> {
    if (this.checking || this.closed) return this.checking ?? Promise.resolve();
    this.lastCheck = Date.now();
    this.checking = this.ask()
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

  private ask(): Promise<PlanWorkerReply> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const done = (reply: PlanWorkerReply) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(reply);
      };
      const onMessage = (m: { id: number; reply: PlanWorkerReply }) => {
        if (m.id === id) done(m.reply);
      };
      const onExit = () => {
        if (this.worker === worker) this.worker = null;
        done({ kind: 'error', error: 'internal error: the plan worker stopped', fingerprint: '' });
      };
      const timer = setTimeout(() => {
        if (this.worker === worker) this.worker = null;
        void worker.terminate();
        done({ kind: 'error', error: `planning took over ${PLAN_TIMEOUT_MS / 1000} s; gave up`, fingerprint: '' });
      }, PLAN_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ id });
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
