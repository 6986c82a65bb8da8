/**
 * GET /api/plan (the plan's JSON contract) and GET /api/vms/:vmid/targets (where the VM can
 * live-migrate now, for a balancer; `?format=precondition` in the shape of Proxmox's migrate
 * precondition). Both are answered from the plan serve keeps (./plan/service.ts): computed off the
 * event loop and refreshed when the cluster's config changes, so an answer costs a lookup.
 */
import { Hono, type Context } from 'hono';
import { isPveVmid } from '../../catalog/proxmox.js';
import { preconditionJson, type TargetsJson } from '../../proxmox/plan/answer.js';
import type { PlanProvider, PlanState } from './plan/service.js';

const NO_PLAN = 'no cluster config: start with `migratable serve --pve-config DIR` (a copy of /etc/pve)';

/** The plan's age and any newer failure travel in headers, so the bodies keep their contract. */
function planHeaders(c: Context, state: PlanState): void {
  if (state.snapshot) c.header('X-Migratable-Plan-Time', new Date(state.snapshot.computedAt).toISOString());
  if (state.error) c.header('X-Migratable-Plan-Error', encodeURIComponent(state.error));
}

function unavailable(c: Context, state: PlanState) {
  c.header('Retry-After', '1');
  return c.json({ error: state.error ?? 'the cluster plan is being computed; retry shortly' }, 503);
}

function sendJson(c: Context, body: Uint8Array<ArrayBuffer>) {
  return c.body(body, 200, { 'Content-Type': 'application/json; charset=UTF-8' });
}

export function planRoutes(plan: PlanProvider | undefined): Hono {
  const api = new Hono();
  // No content rather than 404: the dashboard asks on every load and hides the view (no console error)
  api.get('/plan', async (c) => {
    if (!plan) return c.body(null, 204);
    const state = await plan.state();
    planHeaders(c, state);
    return state.snapshot ? sendJson(c, state.snapshot.planBody) : unavailable(c, state);
  });
  api.get('/vms/:vmid/targets', async (c) => {
    if (!plan) return c.json({ error: NO_PLAN }, 404);
    const vmid = c.req.param('vmid');
    if (!isPveVmid(vmid)) return c.json({ error: `${JSON.stringify(vmid)} is not a VM id` }, 400);
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'precondition')
      return c.json({ error: `unknown format ${JSON.stringify(format)}; json or precondition` }, 400);
    const state = await plan.state();
    planHeaders(c, state);
    if (!state.snapshot) return unavailable(c, state);
    const body = state.snapshot.targetsById.get(Number(vmid));
    if (body === undefined) return c.json({ error: `no VM ${vmid} in the cluster config` }, 404);
    if (format === 'json') return sendJson(c, body);
    const answer = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString()) as TargetsJson;
    return c.json(preconditionJson(answer, state.snapshot.nodes));
  });
  return api;
}
