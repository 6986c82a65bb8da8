/**
 * GET /api/drain (the cluster's nodes; 204 without a cluster config), GET /api/drain/:node (the drain
 * report now) and POST /api/drain/:node with planned host data `{after: [HostProfile], everyNode}`
 * (profiles as POST /api/profiles returns them): which VMs the change strands, what to roll out first.
 * Answered by the plan worker from the plan serve keeps (./plan/service.ts): this thread only checks
 * the request and sends the body, so one client's drains never stall the others.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { HostProfileSchema } from '../../profile/host-profile.js';
import { PlanUnavailableError, type DrainSource } from './plan/service.js';

const NODE_RE = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,62})$/;
const NO_CLUSTER = 'no cluster config: start with `migratable serve --pve-config DIR`';
const DrainRequestSchema = z.strictObject({
  after: z.array(HostProfileSchema).max(64).optional(),
  everyNode: z.boolean().optional(),
});

function nodeParam(node: string): string {
  if (!NODE_RE.test(node)) throw new InputError('node', `${JSON.stringify(node)} is not a node name`);
  return node;
}

/** The answer, or 503 with Retry-After while there is no plan to drain from (as GET /api/plan) */
async function answer(c: Context, body: () => Promise<string>) {
  try {
    return c.body(await body(), 200, { 'Content-Type': 'application/json' });
  } catch (e) {
    if (!(e instanceof PlanUnavailableError)) throw e;
    c.header('Retry-After', '1');
    return c.json({ error: e.message }, 503);
  }
}

export function drainRoutes(source: DrainSource | undefined): Hono {
  const api = new Hono();
  api.get('/drain', async (c) =>
    source ? answer(c, async () => JSON.stringify({ nodes: await source.nodes() })) : c.body(null, 204),
  );
  api.get('/drain/:node', async (c) => {
    if (!source) return c.json({ error: NO_CLUSTER }, 404);
    const node = nodeParam(c.req.param('node'));
    return answer(c, () => source.drain(node));
  });
  api.post('/drain/:node', async (c) => {
    if (!source) return c.json({ error: NO_CLUSTER }, 404);
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
      throw new InputError('body', 'expected Content-Type: application/json');
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new InputError('body', 'invalid JSON');
    }
    const parsed = DrainRequestSchema.safeParse(raw);
    if (!parsed.success)
      throw new InputError(parsed.error.issues[0].path.join('.') || 'body', parsed.error.issues[0].message);
    const node = nodeParam(c.req.param('node'));
    return answer(c, () => source.drain(node, parsed.data));
  });
  return api;
}
