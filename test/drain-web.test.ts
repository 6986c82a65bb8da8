/** serve --pve-config: GET/POST /api/drain, and the dashboard's Drain view and power-cycle list in Chromium. */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/chromium.js';
import { PlanService } from '../src/web/server/plan/service.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { clusterFixtureDir, clusterHostsDir } from './helpers/pve-cluster.js';
import { available } from './helpers/qemu.js';
import { generateCluster } from '../bench/pve-cluster.js';
// @ts-expect-error plain ESM build script without types
import { buildWeb } from '../scripts/build-web.mjs';

const webRoot = mkdtempSync(join(tmpdir(), 'drain-web-'));
const hostsDir = clusterHostsDir();
const hosts = readProfileInputs([hostsDir]);
const cluster = join(clusterFixtureDir, 'pve9-ha/etc-pve');
/** pve1 after a microcode update that turns TSX off */
const plannedPve1 = readFileSync(join(hostsDir, 'pve1.cpuinfo'), 'utf8').replace(/^(flags\s*:.*)$/gm, (l) =>
  l.replace(/ (hle|rtm)(?= |$)/g, ''),
);
let server: RunningServer;
let bare: RunningServer;

beforeAll(async () => {
  await buildWeb({ outdir: webRoot });
  const plan = new PlanService(cluster, hosts);
  server = await startServer({ inputs: hosts, port: 0, webRoot, plan, drain: plan });
  bare = await startServer({ inputs: hosts, port: 0, webRoot });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await bare?.close();
});

const get = async (s: RunningServer, path: string) => {
  const r = await fetch(new URL(path, s.url));
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
};
const post = async (s: RunningServer, path: string, body: unknown) => {
  const r = await fetch(new URL(path, s.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
};

describe('drain API', () => {
  it('lists the nodes, and drains one now', async () => {
    expect((await get(server, '/api/drain')).body).toEqual({ nodes: ['pve1', 'pve2', 'pve3'] });
    const { body } = await get(server, '/api/drain/pve1');
    const v101 = body.vms.find((v: { vmid: number }) => v.vmid === 101);
    expect(v101.status).toBe('stuck');
    expect(v101.fixes[0].kind).toBe('cold-move');
  });

  it('with planned host data: the stranded VMs and what to roll out first', async () => {
    const after = readProfilesFromText(plannedPve1, 'planned', 'pve1');
    const { status, body } = await post(server, '/api/drain/pve1', { after });
    expect(status).toBe(200);
    expect(body.after.stranded.map((s: { vmid: number }) => s.vmid)).toEqual([110, 111]);
    expect(body.after.rollout.steps[0].command).toMatch(/^migratable apply /);
  });

  it('400 for a bad node or body, 204/404 without a cluster config', async () => {
    expect((await get(server, '/api/drain/nope')).status).toBe(400);
    expect((await get(server, '/api/drain/..%2Fetc')).status).toBe(400);
    expect((await post(server, '/api/drain/pve1', { after: [{ name: 'x' }] })).status).toBe(400);
    expect((await get(bare, '/api/drain')).status).toBe(204);
    expect((await get(bare, '/api/drain/pve1')).status).toBe(404);
  });
});

describe('drains from the plan worker', () => {
  it('follow the plan of a changed copy, and pass a bad request back as 400', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'drain-copy-'));
    cpSync(cluster, copy, { recursive: true });
    const plan = new PlanService(copy, hosts, 0);
    const fresh = await startServer({ inputs: hosts, port: 0, webRoot, plan, drain: plan });
    try {
      const vmids = async () =>
        (await get(fresh, '/api/drain/pve1')).body.vms.map((v: { vmid: number }) => v.vmid) as number[];
      expect(await vmids()).toContain(104);
      renameSync(join(copy, 'nodes/pve1/qemu-server/104.conf'), join(copy, 'nodes/pve2/qemu-server/104.conf'));
      // a check already under way may have read the copy before the move: the next one cannot have, and
      // the worker drains from the plan it made
      await plan.check();
      await plan.check();
      expect(await vmids()).not.toContain(104);
      expect((await get(fresh, '/api/drain/pve2')).body.vms.map((v: { vmid: number }) => v.vmid)).toContain(104);
      const two = readProfilesFromText(plannedPve1, 'planned', 'pve1');
      const bad = await post(fresh, '/api/drain/pve1', { after: [...two, { ...two[0], name: 'x' }], everyNode: true });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^--every-node: expects one planned profile, got 2/);
    } finally {
      await fresh.close();
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('a drain does not stall the server', () => {
  it('other clients are answered while the plan worker drains a big cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drain-big-'));
    const big = generateCluster(dir, 50, 2000);
    const bigHosts = readProfileInputs([big.hosts]);
    const plan = new PlanService(big.etcPve, bigHosts);
    const busy = await startServer({ inputs: bigHosts, port: 0, webRoot, plan, drain: plan });
    try {
      await plan.check();
      // Planned host data for every node: the whole cluster is checked for stranded VMs (the slow kind)
      const drained = post(busy, `/api/drain/${big.nodes[0]}`, {
        after: [{ ...bigHosts[0], name: 'planned' }],
        everyNode: true,
      });
      let settled = false;
      const order: string[] = [];
      void drained.finally(() => {
        settled = true;
        order.push('drain');
      });
      // One client after another asks for the host list while the drain is computed
      while (!settled) {
        const r = await get(busy, '/api/hosts');
        expect(r.status).toBe(200);
        if (!settled) order.push('hosts');
      }
      const { status, body } = await drained;
      expect(status).toBe(200);
      expect(body.node).toBe(big.nodes[0]);
      expect(body.after.replaced).toHaveLength(50);
      // Answered while the drain was being computed: a drain on the server's thread lets one in at most
      expect(order.indexOf('drain')).toBeGreaterThanOrEqual(3);
    } finally {
      await busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.runIf(available('chromium', existsSync('/usr/bin/chromium')))('Drain view', () => {
  it('drains a node, then shows what planned host data strands', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.locator('#drain-node').waitFor({ timeout: 30_000 });
      expect(await page.locator('nav a[href="#drain"]').count()).toBe(1);
      // The plan view shows the model-version part (VMs that no longer fit) and the power-cycle list
      expect(await page.locator('#plan-versions li').count()).toBeGreaterThan(0);
      expect(await page.locator('#plan-power-cycle').innerText()).toMatch(/qm reboot 101/);

      await page.selectOption('#drain-node', 'pve1');
      await page.click('#drain-run');
      const row101 = page.locator('#drain-vms tbody tr', { hasText: 'db1' });
      await row101.waitFor({ timeout: 30_000 });
      expect(await row101.innerText()).toMatch(/cannot move live[\s\S]*Cold move to pve2[\s\S]*qm shutdown 101/);

      await page.fill('#drain-after', plannedPve1);
      await page.click('#drain-run');
      await page.locator('#drain-stranded li').first().waitFor({ timeout: 30_000 });
      const stranded = await page.locator('#drain-stranded').innerText();
      expect(stranded).toMatch(/VM 110 \(tsx1\)[\s\S]*pve1 misses hle, rtm/);
      expect(stranded).toMatch(/VM 111 \(tsx2\)/);
      expect(await page.locator('#drain-rollout').innerText()).toMatch(/qm set 110 --cpu custom-/);

      await page.goto(bare.url);
      await page.locator('body[data-ready]').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(300);
      expect(await page.locator('#drain').count()).toBe(0);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
