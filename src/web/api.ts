/** The JSON API over the same engine the UI runs in the browser: for tools, and for loading inputs. */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { checkMatrix } from '../engine/check.js';
import { EMITTERS, isFormatName, FORMAT_NAMES } from '../emitters/index.js';
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { readProfilesFromText } from '../sources/index.js';
import { readVmsFromText } from '../sources/vm/index.js';
import type { CheckRequest, ModelRequest, ProfilesRequest } from './api-types.js';
import { catalogResponse } from './catalog-view.js';
import type { DriftSource } from './drift.js';
import { buildModel, ModelRequestError, selectHosts } from './model.js';
import { planRoutes, type PlanSource } from './plan-routes.js';

/** Pasted host data and VM configs are small; this bounds what one request can make the server parse. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

const ModelRequestSchema = z
  .object({
    hosts: z.array(z.string()).optional(),
    disabled: z.array(z.string()).optional(),
    allowTsx: z.boolean().optional(),
    qemu: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, 'expected a QEMU version like 7.2 or 8.1.5')
      .optional(),
    name: z.string().min(1).optional(),
  })
  .strict();
const ProfilesRequestSchema = z.object({ text: z.string(), name: z.string().min(1).optional() }).strict();
const CheckRequestSchema = z.object({ text: z.string(), hosts: z.array(z.string()).optional() }).strict();

class BadRequest extends Error {}

/** The first line only: the readers' messages are one-liners with the input named first. */
function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new BadRequest('expected Content-Type: application/json');
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (e) {
    throw new BadRequest(`invalid JSON: ${oneLine(e)}`);
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
  plan?: PlanSource;
}

export function apiRoutes({ hosts, drift, plan }: ApiOptions): Hono {
  const api = new Hono();
  api.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `request body larger than ${MAX_BODY_BYTES >> 20} MiB` }, 413),
    }),
  );

  api.onError((err, c) => {
    if (
      err instanceof BadRequest ||
      err instanceof InputError ||
      err instanceof ModelRequestError ||
      err.name === 'EmitError'
    ) {
      return c.json({ error: oneLine(err) }, 400);
    }
    console.error(err);
    return c.json({ error: `internal error: ${oneLine(err)}` }, 500);
  });

  // Hosts never change while serving: serialize once (1000 profiles are over a megabyte of JSON)
  let hostsJson: string | undefined;
  api.get('/hosts', (c) =>
    c.body((hostsJson ??= JSON.stringify({ hosts })), 200, { 'Content-Type': 'application/json; charset=utf-8' }),
  );
  api.get('/catalog', (c) => c.json(catalogResponse()));

  api.post('/baseline', async (c) => c.json(buildModel(hosts, await jsonBody(c, ModelRequestSchema))));

  api.post('/profiles', async (c) => {
    const req: ProfilesRequest = await jsonBody(c, ProfilesRequestSchema);
    const name = req.name ?? 'pasted';
    return c.json({ hosts: readProfilesFromText(req.text, name, name) });
  });

  api.post('/check', async (c) => {
    const req: CheckRequest = await jsonBody(c, CheckRequestSchema);
    const against = selectHosts(hosts, req.hosts);
    if (!against.length) throw new BadRequest('no hosts loaded to check against');
    return c.json(checkMatrix(readVmsFromText(req.text, 'vm', 'vm'), against));
  });

  api.get('/export/:format', (c) => {
    const format = c.req.param('format');
    if (!isFormatName(format))
      return c.json({ error: `unknown format ${JSON.stringify(format)}; one of ${FORMAT_NAMES.join(', ')}` }, 404);
    return c.text(EMITTERS[format].emit(buildModel(hosts, queryModelRequest(c))));
  });

  api.get('/drift', async (c) => {
    if (!drift)
      return c.json({ error: 'no inventory: start with `migratable serve --inventory DB` to see feature drift' }, 404);
    return c.json(await drift());
  });

  api.route('/', planRoutes(plan));

  api.notFound((c) => c.json({ error: `no such API endpoint: ${c.req.method} ${c.req.path}` }, 404));
  return api;
}
