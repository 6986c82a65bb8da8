/**
 * Runs paste parsing in one worker thread, so a big paste costs its own client time and never
 * stalls the others. Bounded: a few requests wait, more are told to retry, and a parse that runs
 * past its deadline has its worker replaced. Node-only.
 */
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_BODY_BYTES, tooLargeMessage } from '../body-caps.js';
import { ByteBudget } from './budget.js';
import type { PasteKind, PasteResult } from './parse.js';

/** Requests waiting for the worker beyond this are refused (503) rather than queued without end. */
export const MAX_PENDING_PASTES = 8;
export const PASTE_TIMEOUT_MS = 20_000;

export class PasteBusyError extends Error {}
/** A paste sent without a Content-Length that turned out larger than the cap (declared ones are refused earlier). */
export class PasteTooLargeError extends Error {}

interface Pending {
  resolve: (r: PasteResult) => void;
  timer: NodeJS.Timeout;
}

export class PastePool {
  private worker: Worker | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 1;

  /** Pastes are read within this budget (budget.ts), all clients together; a paste beyond it waits unread. */
  private readonly budget = new ByteBudget();

  /**
   * `body` as the request's bytes is handed to the worker without a copy (and decoded there); as a
   * stream (a request body), each piece is handed over as it arrives, so the server's thread never
   * holds a paste whole: no copy of megabytes into one buffer, no large allocation for its
   * garbage collector to pause the other clients for.
   */
  parse(
    kind: PasteKind,
    body: string | ArrayBuffer | ReadableStream<Uint8Array>,
    maxBytes = MAX_BODY_BYTES,
  ): Promise<PasteResult> {
    if (this.pending.size >= MAX_PENDING_PASTES)
      return Promise.reject(new PasteBusyError('too many pastes being read; try again shortly'));
    const size = typeof body === 'string' ? body.length : body instanceof ReadableStream ? 0 : body.byteLength;
    if (size > maxBytes) return Promise.reject(new PasteTooLargeError(tooLargeMessage(maxBytes)));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const result = new Promise<PasteResult>((resolve) => {
      const timer = setTimeout(() => {
        // Readers are linear, so this means a pathological input: drop the worker and everything queued on it
        this.restart(`reading took over ${PASTE_TIMEOUT_MS / 1000} s; refused`);
      }, PASTE_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
    });
    if (!(body instanceof ReadableStream)) {
      return sleep(this.budget.spend(size)).then(() => {
        // Replaced meanwhile (a timeout): this paste was answered already
        if (this.worker === worker) worker.postMessage({ id, kind, body }, typeof body === 'string' ? [] : [body]);
        return result;
      });
    }
    return this.stream(worker, id, kind, body, maxBytes).then(() => result);
  }

  /** Pieces of a body to the worker, then its end; a body that fails (the client went away) is dropped there. */
  private async stream(
    worker: Worker,
    id: number,
    kind: PasteKind,
    body: ReadableStream<Uint8Array>,
    maxBytes: number,
  ): Promise<void> {
    const reader = body.getReader();
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        // Replaced meanwhile (a timeout): this paste was answered already
        if (this.worker !== worker) return;
        if (done) break;
        // Only a body sent without a Content-Length can pass the cap here
        total += value.byteLength;
        if (total > maxBytes) throw new PasteTooLargeError(tooLargeMessage(maxBytes));
        // Moved, not copied: a view into a larger buffer (a pooled one) is cut out first
        const piece = ownsBuffer(value) ? value : value.slice();
        // (counted before the move: a moved buffer reads as empty here)
        const wait = this.budget.spend(piece.byteLength);
        worker.postMessage({ id, kind, chunk: piece }, [piece.buffer as ArrayBuffer]);
        if (wait > 0) await sleep(wait);
      }
      worker.postMessage({ id, kind, end: true });
    } catch (e) {
      if (this.worker === worker) worker.postMessage({ id, kind, abort: true });
      const p = this.pending.get(id);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(id);
      }
      throw e;
    }
  }

  close(): Promise<void> {
    this.failAll('server is shutting down');
    const w = this.worker;
    this.worker = null;
    return w ? w.terminate().then(() => undefined) : Promise.resolve();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    w.unref();
    w.on('message', (m: { id: number; result: PasteResult }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      clearTimeout(p.timer);
      this.pending.delete(m.id);
      p.resolve(m.result);
    });
    w.on('error', (e) => this.restart(`internal error: ${e.message}`));
    w.on('exit', () => {
      if (this.worker === w) this.restart('internal error: parser stopped');
    });
    this.worker = w;
    return w;
  }

  private restart(reason: string): void {
    const w = this.worker;
    this.worker = null;
    this.failAll(reason);
    void w?.terminate();
  }

  private failAll(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ error: reason });
      this.pending.delete(id);
    }
  }
}

/** Whether a piece is the whole of its (non-shared) buffer, which can then be moved as it is. */
const ownsBuffer = (b: Uint8Array) =>
  b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;

/** From dist the worker is plain JS; from source (tests, tsx) it is loaded through tsx's register(). */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${entry}); });`, {
    eval: true,
  });
}
