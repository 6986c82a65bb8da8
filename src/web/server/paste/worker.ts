/** Worker thread entry: parses pasted inputs one at a time, off the server's event loop. */
import { parentPort } from 'node:worker_threads';
import { lowerThisWorkersPriority } from '../worker-priority.js';
import { parsePaste, type PasteKind } from './parse.js';

lowerThisWorkersPriority();

const decoder = new TextDecoder();

/** A whole body, or a streamed one piece by piece (pool.ts): `chunk`s, then `end` (or `abort`). */
interface PasteMessage {
  id: number;
  kind: PasteKind;
  body?: string | ArrayBuffer;
  chunk?: Uint8Array;
  end?: boolean;
  abort?: boolean;
}

/** Streamed bodies being received, by request id. */
const receiving = new Map<number, Uint8Array[]>();

function joined(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

parentPort!.on('message', (m: PasteMessage) => {
  if (m.chunk) {
    const chunks = receiving.get(m.id);
    if (chunks) chunks.push(m.chunk);
    else receiving.set(m.id, [m.chunk]);
    return;
  }
  if (m.abort) {
    receiving.delete(m.id);
    return;
  }
  let body: string;
  if (m.end) {
    const chunks = receiving.get(m.id) ?? [];
    receiving.delete(m.id);
    body = decoder.decode(joined(chunks));
  } else body = typeof m.body === 'string' ? m.body : decoder.decode(m.body);
  parentPort!.postMessage({ id: m.id, result: parsePaste(m.kind, body) });
});
