/**
 * `migratable serve`: the server's guarantees (loopback by default, token rules, API) and the dashboard
 * in a real Chromium against the bundled example. Screenshots land in test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
// @ts-expect-error plain ESM build script without types
import { buildWeb } from '../scripts/build-web.mjs';

const artifacts = join(repoRoot, 'test-artifacts');
const webRoot = join(artifacts, 'web-build');
const example = () => readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]);
const IVY = 'Xeon-E5-2650-v2_ivybridge';
const TOKEN = 'test-token-0123456789abcdef';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  await buildWeb({ outdir: webRoot });
  server = await startServer({ inputs: example(), port: 0, webRoot });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('server', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(server.address).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('refuses a non-loopback bind without a token', async () => {
    await expect(startServer({ inputs: [], port: 0, host: '0.0.0.0', webRoot })).rejects.toThrow(/without a token/);
    await expect(startServer({ inputs: [], port: 0, host: '::', webRoot })).rejects.toThrow(/--token/);
  });

  it('requires the token on every API request when one is set', async () => {
    const s = await startServer({ inputs: example(), port: 0, token: TOKEN, webRoot });
    try {
      const api = `${s.url}api/hosts`;
      expect((await fetch(api)).status).toBe(401);
      expect((await fetch(api, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      expect((await fetch(`${api}?token=${TOKEN}x`)).status).toBe(401);
      const ok = await fetch(api, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { hosts: unknown[] }).hosts).toHaveLength(2);
      expect((await fetch(`${api}?token=${TOKEN}`)).status).toBe(200);
      const post = await fetch(`${s.url}api/baseline`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(post.status).toBe(401);
      // The page itself loads; it then sends the token from its own URL
      expect((await fetch(s.url)).status).toBe(200);
    } finally {
      await s.close();
    }
    await expect(startServer({ inputs: [], port: 0, token: 'short', webRoot })).rejects.toThrow(/at least 16/);
  });

  it('refuses a non-loopback Host header without a token (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: '/api/hosts', headers: { Host: 'evil.example:80' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('sends security headers', async () => {
    const res = await fetch(server.url);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<script type="module" src="app.js">');
  });
});

describe('API', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}api/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('serves hosts and the catalog', async () => {
    const hosts = (await (await fetch(`${server.url}api/hosts`)).json()) as { hosts: { name: string }[] };
    expect(hosts.hosts.map((h) => h.name)).toEqual(['pve-amd1', 'pve-intel1']);
    const cat = (await (await fetch(`${server.url}api/catalog`)).json()) as {
      features: { name: string; category: string; cpuid: unknown }[];
      models: unknown[];
    };
    const avx2 = cat.features.find((f) => f.name === 'avx2')!;
    expect(avx2.category).toBe('simd');
    expect(avx2.cpuid).toEqual({ leaf: 7, subleaf: 0, register: 'ebx', bit: 5 });
    expect(cat.models.length).toBeGreaterThan(20);
  });

  it('builds the model with features disabled through the engine', async () => {
    const full = (await (await post('baseline', {})).json()) as { cpu: string; features: string[] };
    expect(full.cpu).toContain('+avx2');
    const res = await post('baseline', { disabled: ['avx2'], name: 'lab' });
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      cpu: string;
      features: string[];
      name: string;
      lost: { feature: string; reason?: string }[];
    };
    expect(r.cpu).not.toContain('avx2');
    expect(r.features).not.toContain('avx2');
    expect(r.name).toBe('lab');
    expect(r.lost.find((l) => l.feature === 'avx2')?.reason).toBe('disabled');
    const one = (await (await post('baseline', { hosts: ['pve-intel1'] })).json()) as { hosts: string[]; cpu: string };
    expect(one.hosts).toEqual(['pve-intel1']);
    expect(one.cpu).not.toContain('kvm64');
  });

  it('answers bad input with 400 and a one-line message', async () => {
    const bad = await post('profiles', { text: 'hello world' });
    expect(bad.status).toBe(400);
    const msg = ((await bad.json()) as { error: string }).error;
    expect(msg).toMatch(/^pasted: unrecognized format/);
    expect(msg).not.toContain('\n');
    expect((await post('baseline', { hosts: ['nope'] })).status).toBe(400);
    expect((await post('baseline', { disabled: ['not-a-feature'] })).status).toBe(400);
    expect((await post('baseline', { qemu: 'seven' })).status).toBe(400);
    const notJson = await fetch(`${server.url}api/baseline`, { method: 'POST', body: '{}' });
    expect(notJson.status).toBe(400);
  });

  it('parses posted host data with the same readers', async () => {
    const text = readFileSync(join(fixturesDir, `${IVY}.cpuinfo`), 'utf8');
    const res = await post('profiles', { text, name: 'ivy' });
    expect(res.status).toBe(200);
    const { hosts } = (await res.json()) as { hosts: { name: string; vendor: string; features: string[] }[] };
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({ name: 'ivy', vendor: 'GenuineIntel' });
    expect(hosts[0].features).not.toContain('avx2');
  });

  it('checks VMs against the hosts', async () => {
    const res = await post('check', { text: 'cpu: host\ncores: 2\n' });
    expect(res.status).toBe(200);
    const r = (await res.json()) as { hosts: string[]; cells: { host: string; warnings: string[] }[] };
    expect(r.hosts).toEqual(['pve-amd1', 'pve-intel1']);
    expect(r.cells.every((c) => c.warnings.some((w) => /identical hosts/.test(w)))).toBe(true);
    const bad = await post('check', { text: 'Skylake-Server,+nonsense-flag' });
    expect(bad.status).toBe(400);
  });

  it('exports every format and refuses unknown ones', async () => {
    const q = await fetch(`${server.url}api/export/qemu?disabled=avx2,aes`);
    expect(q.status).toBe(200);
    const text = await q.text();
    expect(text).toContain('-cpu');
    expect(text).not.toMatch(/\+avx2|\+aes\b/);
    for (const f of ['text', 'json', 'pve', 'pve-args', 'libvirt', 'nova', 'kubevirt', 'incus']) {
      expect((await fetch(`${server.url}api/export/${f}`)).status, f).toBe(200);
    }
    const unknown = await fetch(`${server.url}api/export/yaml`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/one of text, json/);
  });

  it('answers /api/drift with 404 and a reason when there is no inventory', async () => {
    const res = await fetch(`${server.url}api/drift`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/--inventory/);
  });
});

describe('drift from an inventory', () => {
  it('serves per-host snapshots with added/removed features, and the panel shows them', async () => {
    const { openInventory } = await import('../src/fleet/inventory/index.js');
    const { openInventoryDrift } = await import('../src/web/server/inventory-drift.js');
    const dir = mkdtempSync(join(tmpdir(), 'migratable-web-'));
    const db = join(dir, 'inventory.db');
    const [amd] = example();
    const inv = openInventory(db);
    inv.add([amd], new Date('2025-01-01T00:00:00Z'));
    // A microcode update took rdseed away
    inv.add([{ ...amd, features: amd.features.filter((f) => f !== 'rdseed') }], new Date('2025-02-01T00:00:00Z'));
    inv.close();
    const view = await openInventoryDrift(db);
    const s = await startServer({ inputs: view.hosts, drift: view.drift, port: 0, webRoot });
    try {
      const res = await fetch(`${s.url}api/drift`);
      expect(res.status).toBe(200);
      const drift = (await res.json()) as {
        hosts: { name: string; snapshots: { collectedAt: string; added: string[]; removed: string[] }[] }[];
      };
      expect(drift.hosts).toHaveLength(1);
      const [first, second] = drift.hosts[0].snapshots;
      expect(drift.hosts[0].name).toBe('pve-amd1');
      expect(first.added.length).toBe(amd.features.length);
      expect(second).toEqual({ collectedAt: '2025-02-01T00:00:00.000Z', added: [], removed: ['rdseed'] });
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(s.url);
      await page.waitForSelector('body[data-ready]');
      await page.locator('#drift .removed').first().waitFor();
      expect(await page.locator('#drift').textContent()).toContain('−rdseed');
      await page.locator('#drift').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifacts, 'web-drift.png') });
      await page.close();
    } finally {
      await s.close();
      view.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dashboard in Chromium', () => {
  let page: Page;
  const problems: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `web-${name}.png`), fullPage: false });
  const cpu = () => page.locator('#model-cpu').textContent();
  const exported = async (format: string) => {
    await page.selectOption('#export-format', format);
    return (await page.locator('#export-output').textContent()) ?? '';
  };

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // The one expected failure: /api/drift says 404 without an inventory (and the panel hides)
    page.on(
      'console',
      (m) =>
        m.type() === 'error' &&
        !m.location().url.endsWith('/api/drift') &&
        problems.push(`${m.text()} ${m.location().url}`),
    );
    page.on('pageerror', (e) => problems.push(e.message));
    // Offline: any request that is not to this server is a bug (CDN, fonts, telemetry)
    await page.route('**/*', (route) =>
      route.request().url().startsWith(server.url)
        ? route.continue()
        : (problems.push(`external: ${route.request().url()}`), route.abort()),
    );
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready]');
  }, 30_000);

  it('loads with the example: 2 hosts in the matrix and a model without kvm-pv-unhalt', async () => {
    await expect(page.locator('.mx-row[data-host]').count()).resolves.toBe(2);
    expect(await cpu()).toContain('-kvm-pv-unhalt');
    expect(await page.locator('.warnings [data-code="cross-vendor"]').count()).toBe(1);
    // Drift has no inventory here: hidden, not broken
    expect(await page.locator('#drift').isHidden()).toBe(true);
    await shot('loaded');
    await page.locator('#matrix').scrollIntoViewIfNeeded();
    await shot('matrix');
  });

  it('shows a feature column on keyboard focus', async () => {
    await page.locator('.colh').first().focus();
    await page.keyboard.press('End');
    const last = await page.locator('.colh').last().textContent();
    await expect(page.locator('.inspector h3').textContent()).resolves.toContain(last!);
    await page.locator('.mx-toolbar input[type=search]').fill('avx2');
    await expect(page.locator('.colh').count()).resolves.toBe(1);
    await page.locator('.colh').focus();
    const card = (await page.locator('.inspector').textContent()) ?? '';
    expect(card).toContain('0x07.0 EBX[5]');
    expect(card).toContain('simd');
    await shot('inspector');
    await page.locator('.mx-toolbar input[type=search]').fill('');
  });

  it('turning avx2 off removes it from the model and the export', async () => {
    expect(await exported('qemu')).toContain('+avx2');
    await page.locator('input[data-feature="avx2"]').uncheck();
    await expect.poll(cpu).not.toContain('avx2');
    // Panels below the fold render a task later: wait for the export to change
    await expect.poll(() => exported('qemu')).not.toContain('+avx2');
    const qemu = await exported('qemu');
    expect(qemu).toContain('-cpu');
    expect(qemu).not.toContain('+avx2');
    expect(await page.locator('#lost-table tr[data-feature="avx2"]').textContent()).toContain('left out by you');
    await page.locator('#export').scrollIntoViewIfNeeded();
    await shot('export');
    await page.locator('input[data-feature="avx2"]').check();
    await expect.poll(cpu).toContain('+avx2');
    await page.waitForFunction(() => document.querySelector('input[data-feature="avx2"]') instanceof HTMLInputElement);
  });

  it('adds a host by paste: 3 rows, avx2 lost and missing on that host', async () => {
    const text = readFileSync(join(fixturesDir, `${IVY}.cpuinfo`), 'utf8');
    await page.locator('#add-hosts-text').fill(text);
    await page.locator('#add-hosts-name').fill(IVY);
    await page.locator('#add-hosts-submit').click();
    await expect.poll(() => page.locator('.mx-row[data-host]').count()).toBe(3);
    expect(await cpu()).not.toContain('avx2');
    await expect.poll(() => page.locator('#lost-table tr[data-feature="avx2"]').textContent()).toContain(IVY);
    // Turning avx2 back on is not possible now, and the UI says why
    const box = page.locator('input[data-feature="avx2"]');
    if (!(await box.count())) await page.locator('#ft-all').check();
    expect(await box.isDisabled()).toBe(true);
    expect(await page.locator('#ft-avx2-why').textContent()).toContain(IVY);
    // The what-if panel names the Ivy Bridge host as the one holding avx2 back
    expect(await page.locator(`.blockers li[data-host="${IVY}"]`).textContent()).toContain('avx2');
    await page.locator('#add').scrollIntoViewIfNeeded();
    await shot('added-host');
  });

  it('shows the reader error inline for text it cannot read', async () => {
    await page.locator('#add-hosts-text').fill('this is not cpu data');
    await page.locator('#add-hosts-submit').click();
    await expect.poll(() => page.locator('#add-hosts-messages .error').textContent()).toMatch(/unrecognized format/);
    expect(await page.locator('.mx-row[data-host]').count()).toBe(3);
  });

  it('checks a pasted VM against every host', async () => {
    await page.locator('#vms-text').fill('cpu: x86-64-v3\ncores: 4\nmemory: 8192\n');
    await page.locator('#vms-name').fill('web01');
    await page.locator('#vms-submit').click();
    const row = page.locator('.vm-table tr[data-vm="web01"]');
    await row.waitFor();
    expect(await row.locator(`td[data-host="${IVY}"]`).getAttribute('class')).toBe('vm-bad');
    expect(await row.locator(`td[data-host="${IVY}"]`).textContent()).toContain('avx2');
    expect(await row.locator('td[data-host="pve-intel1"]').getAttribute('class')).not.toBe('vm-bad');
    await page.locator('#vms').scrollIntoViewIfNeeded();
    await shot('vms');
  });

  it('raised no console errors, CSP violations or external requests', () => {
    expect(problems).toEqual([]);
  });
});
