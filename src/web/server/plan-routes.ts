/**
 * GET /api/plan (the plan's JSON contract) and GET /api/vms/:vmid/targets (live targets now, for a
 * balancer). The plan is made on every request: targets must reflect the cluster's config as it is.
 */
import { Hono } from 'hono';
import { isPveVmid } from '../../catalog/proxmox.js';
import { planJson, vmJson } from '../../proxmox/plan/json.js';
import type { Plan } from '../../proxmox/plan/types.js';

/** Makes a plan from the cluster's current config (serve --pve-config). */
export type PlanSource = () => Promise<Plan>;

const NO_PLAN = 'no cluster config: start with `migratable serve --pve-config DIR` (a copy of /etc/pve)';

export function planRoutes(source: PlanSource | undefined): Hono {
  const api = new Hono();
  // No content rather than 404: the dashboard asks on every load and hides the view (no console error)
  api.get('/plan', async (c) => (source ? c.json(planJson(await source())) : c.body(null, 204)));
  api.get('/vms/:vmid/targets', async (c) => {
    if (!source) return c.json({ error: NO_PLAN }, 404);
    const vmid = c.req.param('vmid');
    if (!isPveVmid(vmid)) return c.json({ error: `${JSON.stringify(vmid)} is not a VM id` }, 400);
    const vm = (await source()).vms.find((v) => v.vmid === Number(vmid));
    return vm ? c.json(vmJson(vm)) : c.json({ error: `no VM ${vmid} in the cluster config` }, 404);
  });
  return api;
}
