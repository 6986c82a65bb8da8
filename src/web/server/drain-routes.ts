/**
 * GET /api/drain (the cluster's nodes; 204 without a cluster config), GET /api/drain/:node (the drain
 * report now) and POST /api/drain/:node with planned host data `{after: [HostProfile], everyNode}`
 * (profiles as POST /api/profiles returns them): which VMs the change strands, what to roll out first.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { HostProfileSchema } from '../../profile/host-profile.js';
import type { DrainSource } from '../../proxmox/drain/source.js';
import { drainJson } from '../../proxmox/drain/text.js';

const NODE_RE = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,62})$/;
const DrainRequestSchema = z.strictObject({
  after: z.array(HostProfileSchema).max(64).optional(),
  everyNode: z.boolean().optional(),
});

function nodeParam(node: string): string {
  if (!NODE_RE.test(node)) throw new InputError('node', `${JSON.stringify(node)} is not a node name`);
  return node;
}

export function drainRoutes(source: DrainSource | undefined): Hono {
  const api = new Hono();
  api.get('/drain', async (c) => (source ? c.json({ nodes: await source.nodes() }) : c.body(null, 204)));
  api.get('/drain/:node', async (c) => {
    if (!source) return c.json({ error: 'no cluster config: start with `migratable serve --pve-config DIR`' }, 404);
    return c.json(drainJson(await source.drain(nodeParam(c.req.param('node')))));
  });
  api.post('/drain/:node', async (c) => {
    if (!source) return c.json({ error: 'no cluster config: start with `migratable serve --pve-config DIR`' }, 404);
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
    return c.json(drainJson(await source.drain(nodeParam(c.req.param('node')), parsed.data)));
  });
  return api;
}
