/** The JSON API over the same engine the UI runs in the browser: for tools, and for loading inputs. */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { checkMatrix } from '../../engine/check.js';
import { EMITTERS, isFormatName, FORMAT_NAMES } from '../../emitters/index.js';
import { errorLine, InputError } from '../../errors.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { GENERATED_MODEL_NAME_RE } from '../../formats/pve-cpu-models.js';
import { safeLine, safeText } from '../../safe-text.js';
import type { DriftResponse, ModelRequest } from '../common/api-types.js';
import { PasteBusyError, PasteTooLargeError, type PastePool } from './paste/pool.js';
import { catalogResponse } from '../common/catalog-view.js';
import type { DriftSource } from '../common/drift.js';
import { buildModel, ModelRequestError, selectHosts } from '../common/model.js';
import { planRoutes } from './plan-routes.js';
import type { DrainSource, PlanProvider } from './plan/service.js';
import { drainRoutes } from './drain-routes.js';
import { isPastePath, MAX_SMALL_BODY_BYTES, tooLargeMessage } from './body-caps.js';

const ModelRequestSchema = z
  .object({
    hosts: z.array(z.string()).optional(),
    disabled: z.array(z.string()).optional(),
    allowTsx: z.boolean().optional(),
    qemu: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, 'expected a QEMU version like 7.2 or 8.1.5')
      .optional(),
    // The same rule as the CLI's --name: the name goes into config files line by line
    name: z
      .string()
      .regex(
        GENERATED_MODEL_NAME_RE,
        'expected a model name: a lowercase letter, then letters, digits, _ or -, at most 40',
      )
      .optional(),
  })
  .strict();

class BadRequest extends Error {}

const NO_INVENTORY = 'no inventory: start with `migratable serve --inventory DB` to see feature drift';

/** Node's IncomingMessage reports a client that closed the connection mid-body as ECONNRESET "aborted". */
function isClientAbort(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new BadRequest('expected Content-Type: application/json');
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (e) {
    throw new BadRequest(`invalid JSON: ${errorLine(e)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

function listParam(v: string | undefined): string[] | undefined {
  return v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

function queryModelRequest(c: Context): ModelRequest {
  const q = (k: string) => c.req.query(k);
  const raw = {
    hosts: listParam(q('hosts')),
    disabled: listParam(q('disabled')),
    allowTsx: q('allowTsx') === undefined ? undefined : q('allowTsx') === 'true' || q('allowTsx') === '1',
    qemu: q('qemu'),
    name: q('name'),
  };
  const parsed = ModelRequestSchema.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success)
    throw new BadRequest(`${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

export interface ApiOptions {
  hosts: HostProfile[];
  drift?: DriftSource;
  /** Where pastes are parsed (a worker thread) */
  pastes: PastePool;
  plan?: PlanProvider;
  /** serve --pve-config: GET/POST /api/drain */
  drain?: DrainSource;
}

/** Bodies without a Content-Length (chunked) are counted as they are read; a declared size over the cap never gets here (capped-server.ts). */
const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    // Connection: close, so the rest of an oversized body is not read off the socket
    onError: (c) => c.json({ error: tooLargeMessage(maxSize) }, 413, { Connection: 'close' }),
  });

/**
 * A paste's body, after the Content-Type check: the request's stream, handed to the worker piece by
 * piece as it arrives (decoded and parsed there; see PastePool.parse), or its bytes when it has none.
 */
function pasteBody(c: Context): ReadableStream<Uint8Array> | Promise<ArrayBuffer> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new BadRequest('expected Content-Type: application/json');
  return c.req.raw.body ?? c.req.arrayBuffer();
}

export function apiRoutes({ hosts, drift, pastes, plan, drain }: ApiOptions): Hono {
  const api = new Hono();
  // Not for pastes: hono's limit would read a chunked paste whole at once, outside the paste budget;
  // the paste pool counts a paste's bytes as it reads them (PasteTooLargeError)
  const smallLimit = limitBody(MAX_SMALL_BODY_BYTES);
  api.use('*', (c, next) => (isPastePath(c.req.path) ? next() : smallLimit(c, next)));

  api.onError((err, c) => {
    if (err instanceof PasteBusyError) return c.json({ error: err.message }, 503);
    if (err instanceof PasteTooLargeError) return c.json({ error: err.message }, 413, { Connection: 'close' });
    if (
      err instanceof BadRequest ||
      err instanceof InputError ||
      err instanceof ModelRequestError ||
      err.name === 'EmitError'
    ) {
      return c.json({ error: errorLine(err) }, 400);
    }
    // A client that went away mid-request (an aborted upload) is no error of ours: nothing to log
    if (c.req.raw.signal.aborted || isClientAbort(err)) return c.body(null, 400);
    process.stderr.write(
      `migratable: internal error on ${c.req.method} ${safeLine(c.req.path)}: ${safeLine(errorLine(err))}\n`,
    );
    return c.json({ error: `internal error: ${errorLine(err)}` }, 500);
  });

  // Hosts never change while serving: serialize once (1000 profiles are over a megabyte of JSON)
  let hostsJson: string | undefined;
  api.get('/hosts', (c) =>
    c.body((hostsJson ??= JSON.stringify({ hosts })), 200, { 'Content-Type': 'application/json; charset=utf-8' }),
  );
  api.get('/catalog', (c) => c.json(catalogResponse()));

  api.post('/baseline', async (c) => c.json(buildModel(hosts, await jsonBody(c, ModelRequestSchema))));

  api.post('/profiles', async (c) => {
    const r = await pastes.parse('profiles', await pasteBody(c));
    if ('error' in r) throw new BadRequest(r.error);
    return c.json({ hosts: r.kind === 'profiles' ? r.hosts : [] });
  });

  api.post('/check', async (c) => {
    const r = await pastes.parse('check', await pasteBody(c));
    if ('error' in r) throw new BadRequest(r.error);
    if (r.kind !== 'check') throw new BadRequest('unexpected reply');
    const against = selectHosts(hosts, r.hosts);
    if (!against.length) throw new BadRequest('no hosts loaded to check against');
    return c.json(checkMatrix(r.vms, against));
  });

  api.get('/export/:format', (c) => {
    const format = c.req.param('format');
    if (!isFormatName(format))
      return c.json({ error: `unknown format ${JSON.stringify(format)}; one of ${FORMAT_NAMES.join(', ')}` }, 404);
    return c.text(safeText(EMITTERS[format].emit(buildModel(hosts, queryModelRequest(c)))));
  });

  api.get('/drift', async (c) => {
    // Not an error: this server simply has no history to show (the UI hides the panel)
    if (!drift) return c.json({ hosts: [], inventory: false, note: NO_INVENTORY } satisfies DriftResponse);
    return c.json(await drift());
  });

  api.route('/', planRoutes(plan));
  api.route('/', drainRoutes(drain));

  api.notFound((c) => c.json({ error: `no such API endpoint: ${c.req.method} ${c.req.path}` }, 404));
  return api;
}
