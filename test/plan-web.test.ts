/** serve --pve-config: GET /api/plan, GET /api/vms/:vmid/targets, and the dashboard's Plan view in Chromium. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/chromium.js';
import { clusterPlanSource } from '../src/proxmox/plan/inputs.js';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { available } from './helpers/qemu.js';
// @ts-expect-error plain ESM build script without types
import { buildWeb } from '../scripts/build-web.mjs';

// Outside the checkout: eslint and prettier would read a bundle left in it
const webRoot = mkdtempSync(join(tmpdir(), 'plan-web-'));
const hosts = readProfileInputs([clusterHostsDir()]);
let server: RunningServer;
let bare: RunningServer;

beforeAll(async () => {
  await buildWeb({ outdir: webRoot });
  server = await startServer({ inputs: hosts, port: 0, webRoot, plan: clusterPlanSource(etcPveCopy('pve9'), hosts) });
  bare = await startServer({ inputs: hosts, port: 0, webRoot });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await bare?.close();
});

const get = async (s: RunningServer, path: string) => {
  const r = await fetch(new URL(path, s.url));
  return { status: r.status, body: await r.json() };
};

describe('targets API', () => {
  it('answers a balancer with the live targets now', async () => {
    expect((await get(server, '/api/vms/103/targets')).body.liveTargets).toEqual(['pve1']);
    const none = await get(server, '/api/vms/102/targets');
    expect(none.status).toBe(200);
    expect(none.body.liveTargets).toEqual([]);
    expect(none.body.blocked.map((b: { node: string }) => b.node)).toEqual(['pve1', 'pve2']);
  });

  it('404 for an unknown VM or without a cluster config (the plan: 204), 400 for a non-id', async () => {
    expect((await get(server, '/api/vms/999/targets')).status).toBe(404);
    expect((await get(server, '/api/vms/abc/targets')).status).toBe(400);
    expect((await fetch(new URL('/api/plan', bare.url))).status).toBe(204);
    expect((await get(bare, '/api/vms/103/targets')).body.error).toMatch(/--pve-config/);
  });

  it('serves the plan JSON contract', async () => {
    const { body } = await get(server, '/api/plan');
    expect(Object.keys(body)).toEqual(['domains', 'vms', 'versions']);
    expect(body.vms).toHaveLength(3);
  });
});

describe.runIf(available('chromium', existsSync('/usr/bin/chromium')))('Plan view', () => {
  it('shows each VM with its live targets and the commands', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      const rows = page.locator('#plan-vms tbody tr');
      await rows.first().waitFor({ timeout: 30_000 });
      expect(await rows.count()).toBe(3);
      expect(await rows.nth(0).innerText()).toMatch(
        /101[\s\S]*none[\s\S]*qm set 101 --cpu custom-migratable-intel-only/,
      );
      expect(await rows.nth(2).innerText()).toMatch(/103[\s\S]*pve1[\s\S]*keep/);
      expect(await page.locator('nav a[href="#plan"]').count()).toBe(1);
      await page.goto(bare.url);
      await page.locator('body[data-ready]').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(300);
      expect(await page.locator('#plan').count()).toBe(0);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
