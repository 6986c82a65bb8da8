/**
 * Node's HTTP server with each path's body cap (body-caps.ts) applied to a declared Content-Length
 * from the headers alone, before the request reaches the app: an oversized upload costs one small
 * reply, not a Request, a route and the body bytes that arrived meanwhile. A client that asks
 * first (Expect: 100-continue, as curl does for bodies over 1 MB) is refused before it sends any.
 * Node-only.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { bodyCapFor, MAX_BODY_BYTES, tooLargeMessage } from './body-caps.js';
import { headersFor } from './headers.js';
import { ByteBudget } from './paste/budget.js';

/** How long a refused upload's connection stays open for its client to read the reply (see reply). */
const LINGER_MS = 1000;
/** A refusal that would wait longer than this for its budget is answered 503 at once. */
const MAX_REFUSAL_WAIT_MS = 5000;

/**
 * Answers `status` with a JSON error. `bodyComing`: the client is sending a body we will not read
 * (it did not ask first with Expect: 100-continue).
 */
function reply(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  status: number,
  error: string,
  bodyComing: boolean,
): void {
  if (res.destroyed) return; // the client gave up while its refusal waited
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    ...headersFor(path),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(status === 503 ? { 'Retry-After': String(MAX_REFUSAL_WAIT_MS / 1000) } : {}),
    Connection: 'close',
  });
  if (!bodyComing) return void res.end(body);
  // The reply is whole by its Content-Length, yet the connection is left open, and the body unread,
  // until the client hangs up (it reads the reply and stops sending) or LINGER_MS pass. Closed at
  // once with input unread, the connection would be reset and a client still sending could lose
  // the reply; read to the end, every refused byte would cost us as much as an accepted one.
  res.write(body);
  const timer = setTimeout(() => res.end(), LINGER_MS).unref();
  req.socket.once('close', () => clearTimeout(timer));
}

/**
 * Refuses `req` (413) and returns true when it declares a body over its path's cap. The refusal
 * is paced like a full-size paste (paste/budget.ts): a client that keeps posting oversized bodies
 * waits for its answers, unread, instead of making the machine turn them over as fast as it can.
 * The budget is the refusals' own: however many an unauthenticated client sends, no accepted
 * paste waits for them.
 */
function refusedBySize(req: IncomingMessage, res: ServerResponse, budget: ByteBudget, bodyComing: boolean): boolean {
  const declared = req.headers['content-length'];
  if (declared === undefined) return false;
  const path = (req.url ?? '/').split('?', 1)[0];
  const cap = bodyCapFor(path);
  if (!(Number(declared) > cap)) return false;
  const wait = budget.reserve(MAX_BODY_BYTES, MAX_REFUSAL_WAIT_MS);
  if (wait === null) reply(req, res, path, 503, 'too many uploads at once; try again shortly', bodyComing);
  else if (wait === 0) reply(req, res, path, 413, tooLargeMessage(cap), bodyComing);
  else setTimeout(() => reply(req, res, path, 413, tooLargeMessage(cap), bodyComing), wait).unref();
  return true;
}

/** http.createServer(listener) with the caps applied first, refusals paced. */
export function cappedServer(listener: RequestListener): Server {
  const budget = new ByteBudget();
  const server = createServer((req, res) => {
    if (!refusedBySize(req, res, budget, true)) listener(req, res);
  });
  // With a listener here Node no longer answers 100 Continue by itself: it is sent only for bodies we take
  server.on('checkContinue', (req, res) => {
    if (refusedBySize(req, res, budget, false)) return;
    res.writeContinue();
    listener(req, res);
  });
  return server;
}
