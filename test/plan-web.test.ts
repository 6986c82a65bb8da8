/** serve --pve-config: GET /api/plan, GET /api/vms/:vmid/targets, and the dashboard's Plan view in Chromium. */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/chromium.js';
import { PlanService } from '../src/web/server/plan/service.js';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { clusterFixtureDir, clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
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
  server = await startServer({ inputs: hosts, port: 0, webRoot, plan: new PlanService(etcPveCopy('pve9'), hosts) });
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
    expect(Object.keys(body)).toEqual(['domains', 'vms', 'notes', 'versions']);
    expect(body.vms).toHaveLength(3);
  });
});

describe('the plan serve keeps', () => {
  it('answers the precondition shape', async () => {
    const r = await get(server, '/api/vms/102/targets?format=precondition');
    expect(r.status).toBe(200);
    expect(r.body.allowed_nodes).toEqual([]);
    expect(Object.keys(r.body.not_allowed_nodes)).toEqual(['pve1', 'pve2']);
    expect((await get(server, '/api/vms/102/targets?format=yaml')).status).toBe(400);
  });

  it('is refreshed when the copy changes: a new VM is answered after the next check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-refresh-'));
    cpSync(etcPveCopy('pve9'), dir, { recursive: true });
    const plan = new PlanService(dir, hosts, 0);
    const s = await startServer({ inputs: hosts, port: 0, webRoot, plan });
    try {
      expect((await get(s, '/api/vms/104/targets')).status).toBe(404);
      writeFileSync(join(dir, 'nodes/pve1/qemu-server/104.conf'), 'name: new\ncpu: x86-64-v2-AES\n');
      // a check already under way may have read the copy before the write: the next one cannot have
      await plan.check();
      await plan.check();
      const r = await get(s, '/api/vms/104/targets');
      expect(r.status).toBe(200);
      expect(r.body.liveTargets).toEqual(['pve2']);
    } finally {
      await s.close();
    }
  });

  it('a FIFO planted in the copy is refused unopened: the plan fails with one line, nothing waits on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-fifo-'));
    cpSync(etcPveCopy('pve9'), dir, { recursive: true });
    rmSync(join(dir, 'nodes/pve2/qemu-server/103.conf'));
    execFileSync('mkfifo', [join(dir, 'nodes/pve2/qemu-server/103.conf')]);
    const plan = new PlanService(dir, hosts);
    const s = await startServer({ inputs: hosts, port: 0, webRoot, plan });
    try {
      const r = await get(s, '/api/vms/101/targets');
      expect(r.status).toBe(503);
      expect(r.body.error).toMatch(/103\.conf: is not a regular file; expected a Proxmox VM config/);
      expect((await get(s, '/api/hosts')).status).toBe(200);
    } finally {
      await s.close();
    }
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

  it("shows what the CLI prints beside the table: the plan's notes, template, lock, bundles, keep-apart", async () => {
    // The HA cluster, with a VM locked by a backup, a template and a disabled rule
    const dir = join(mkdtempSync(join(tmpdir(), 'plan-web-ha-')), 'etc-pve');
    cpSync(join(clusterFixtureDir, 'pve9-ha/etc-pve'), dir, { recursive: true });
    const conf = join(dir, 'nodes/pve1/qemu-server/104.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8') + 'lock: backup\n');
    writeFileSync(join(dir, 'nodes/pve3/qemu-server/109.conf'), 'name: golden\ncpu: x86-64-v2-AES\ntemplate: 1\n');
    writeFileSync(
      join(dir, 'ha/rules.cfg'),
      readFileSync(join(dir, 'ha/rules.cfg'), 'utf8') +
        '\nnode-affinity: old-pin\n\tdisable\n\tnodes pve3\n\tresources vm:104\n',
    );
    const s = await startServer({ inputs: hosts, port: 0, webRoot, plan: new PlanService(dir, hosts) });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(s.url);
      await page.locator('#plan-vms tbody tr').first().waitFor({ timeout: 30_000 });
      const row = (vmid: number) => page.locator(`#plan-vms tbody tr[data-vmid="${vmid}"]`);
      expect(await page.locator('#plan-notes').innerText()).toMatch(
        /HA rule 'old-pin' is disabled: Proxmox ignores it/,
      );
      expect(await row(104).locator('.plan-lock').innerText()).toBe('locked (backup)');
      expect(await row(104).innerText()).toMatch(
        /cache1[\s\S]*VM is locked \(backup\)[\s\S]*HA rule 'old-pin' names it but is disabled/,
      );
      expect(await row(109).locator('.plan-template').innerText()).toBe('template');
      expect(await row(109).innerText()).toMatch(/a template: its cpu: matters to the clones/);
      expect(await row(106).locator('.plan-together').innerText()).toBe('moves with vm:107 (keep-together)');
      expect(await row(107).locator('.plan-together').innerText()).toBe('moves with vm:106 (keep-together)');
      expect(await row(103).locator('.plan-apart').innerText()).toBe('kept apart from vm:105');
      expect(await row(103).innerText()).toMatch(/pve1: vm:105 is on this node, and HA keeps it apart/);
    } finally {
      await browser.close();
      await s.close();
    }
  }, 90_000);
});
