/**
 * `migratable serve`: the server's guarantees (loopback by default, token rules, API) and the dashboard
 * in a real Chromium against the bundled example. Screenshots land in test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/chromium.js';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { fixtureFleet } from './helpers/fleet.js';
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
  browser = await launchChromium();
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
    await expect(startServer({ inputs: [], port: 0, host: '::', webRoot })).rejects.toThrow(/--access-token/);
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

  it('answers /api/drift without an inventory with an empty, explained result (not a 404)', async () => {
    const res = await fetch(`${server.url}api/drift`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hosts: unknown[]; inventory: boolean; note: string };
    expect(body.hosts).toEqual([]);
    expect(body.inventory).toBe(false);
    expect(body.note).toMatch(/--inventory/);
  });

  it('refuses to switch off a feature of the x86-64 baseline', async () => {
    const res = await fetch(`${server.url}api/baseline`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ disabled: ['sse2'] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/sse2 cannot be left out/);
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
    // scan --verify results: one node proved the model, one refused it
    const verdict = (host: string, outcome: string, detail: string) => ({
      host,
      target: `root@${host}`,
      verifiedAt: '2025-02-02T00:00:00.000Z',
      modelHash: 'ab'.repeat(32),
      modelCpu: 'EPYC-Rome,enforce',
      modelName: 'web-tier',
      outcome: outcome as 'match' | 'refused',
      accel: 'kvm',
      qemu: '9.2.0',
      detail,
      report: {},
    });
    inv.addVerifications([
      verdict('pve-amd1', 'match', 'started and the guest saw exactly the promise'),
      verdict(
        'pve-intel1',
        'refused',
        "QEMU refused it: host doesn't support requested feature: CPUID.80000001H:ECX.sse4a",
      ),
    ]);
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
      const proof = page.locator('#drift .proof-table');
      expect(await proof.locator('tr[data-outcome="refused"] th').textContent()).toBe('pve-intel1');
      expect(await proof.locator('tr[data-outcome="refused"] .verdict').textContent()).toBe('refused by QEMU');
      expect(await proof.textContent()).toContain('web-tier abababababab');
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

/** Pages that fail the test on any page error, console error or request leaving the server. */
async function openPage(url: string, problems: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && problems.push(`${m.text()} ${m.location().url}`));
  page.on('pageerror', (e) => problems.push(e.message));
  // Offline: any request that is not to this server is a bug (CDN, fonts, telemetry)
  await page.route('**/*', (route) =>
    route.request().url().startsWith(url)
      ? route.continue()
      : (problems.push(`external: ${route.request().url()}`), route.abort()),
  );
  await page.goto(url);
  await page.waitForSelector('body[data-settled]');
  return page;
}

const AXE = readFileSync(join(repoRoot, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the page as it is now (evaluated, so the page's CSP does not block it). */
async function axeFindings(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`,
  )) as Array<{ id: string; impact: string; nodes: string[] }>;
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.join(' | ')}`);
}

/** True when the element lies inside the 1440x900 first screen. */
async function inFirstScreen(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).first().boundingBox();
  return !!box && box.y >= 0 && box.y + box.height <= 900 && box.x + box.width <= 1440;
}

describe('dashboard in Chromium', () => {
  let page: Page;
  const problems: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `web-${name}.png`), fullPage: false });
  const cpu = () => page.locator('#model-cpu').textContent();
  const answer = () => page.locator('#answer-output').textContent();

  beforeAll(async () => {
    page = await openPage(server.url, problems);
  }, 30_000);

  it('answers first: the cpu-models.conf section and a Copy button in the first screen, the ladder beside it', async () => {
    await expect(page.locator('.mx-row[data-host]').count()).resolves.toBe(2);
    const text = (await answer()) ?? '';
    expect(text).toContain('cpu-model: migratable-mixed');
    expect(text).toContain('cpu: custom-migratable-mixed');
    expect(await inFirstScreen(page, '#answer-output')).toBe(true);
    expect(await inFirstScreen(page, 'role=button[name="Copy"]')).toBe(true);
    expect(await page.locator('.steps li').count()).toBe(3);
    // The ladder: x86-64-v3 runs on both hosts of the example, v4 (AVX-512) on neither
    expect(await page.locator('.rung.best').getAttribute('data-type')).toBe('x86-64-v3');
    expect(await page.locator('.rung[data-type="x86-64-v4"]').getAttribute('class')).toContain('no');
    expect(await inFirstScreen(page, '.rung.best')).toBe(true);
    expect(await cpu()).toContain('-kvm-pv-unhalt');
    expect(await page.locator('.warnings [data-code="cross-vendor"]').count()).toBe(1);
    // Policy exclusions are information, folded below the rest
    expect(await page.locator('details.policy [data-code="kvm-pv-unhalt"]').count()).toBe(1);
    expect(await page.locator('#drift').isHidden()).toBe(true);
    await shot('loaded');
  });

  it('switches the answer to another platform by tab', async () => {
    await page.getByRole('tab', { name: 'QEMU' }).click();
    await expect.poll(answer).toContain('-cpu kvm64');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('libvirt');
    await expect.poll(answer).toContain("<cpu mode='custom'");
    await page.getByRole('tab', { name: 'Proxmox VE' }).click();
  });

  it('accepts the page’s own model in the VM check: cpu: custom-<name> migrates to all hosts', async () => {
    await page.getByRole('textbox', { name: /VM/ }).first().fill('cpu: custom-migratable-mixed\ncores: 2\n');
    await page.locator('#vms-name').fill('own');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const row = page.locator('.vm-table tr[data-vm="own"]');
    await row.waitFor();
    expect(await row.locator('.verdict').textContent()).toContain('migrates to all 2 hosts');
    expect(await page.locator('#vms-messages .error').count()).toBe(0);
  });

  it('keeps the focus on the avx2 checkbox when Space switches it off and on', async () => {
    const box = page.getByRole('checkbox', { name: 'avx2', exact: true });
    await box.focus();
    await page.keyboard.press('Space');
    await expect.poll(cpu).not.toContain('avx2');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('ft-avx2');
    // the panels below re-render a task later: the focus is still there after they did
    await page.waitForFunction(() => !(document.getElementById('ft-avx2') as HTMLInputElement).checked);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('ft-avx2');
    await expect.poll(answer).not.toContain('+avx2');
    expect(await page.locator('#lost li[data-feature="avx2"]').count()).toBe(1);
    await page.keyboard.press('Space');
    await expect.poll(cpu).toContain('+avx2');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('ft-avx2');
  });

  it('guards the x86-64 baseline: lm and sse2 have no switch', async () => {
    expect(await page.locator('#ft-lm').isDisabled()).toBe(true);
    expect(await page.locator('#ft-sse2-why').textContent()).toContain('x86-64');
  });

  it('keeps the model when "Oldest QEMU" is not a version, and says so at the field', async () => {
    await page.locator('#opt-qemu').fill('8.x');
    await expect.poll(() => page.locator('#opt-qemu').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#opt-qemu-hint').textContent()).toContain('not a QEMU version');
    expect(await answer()).toContain('cpu-model: migratable-mixed');
    await page.locator('#opt-qemu').fill('');
    await expect.poll(() => page.locator('#opt-qemu').getAttribute('aria-invalid')).toBe('false');
  });

  it('shows a feature column on keyboard focus, and the box follows a filter', async () => {
    await page.locator('.colh').first().focus();
    await page.keyboard.press('End');
    const last = await page.locator('.colh').last().textContent();
    await expect(page.locator('.inspector h3').textContent()).resolves.toContain(last!);
    await page.locator('.mx-toolbar input[type=search]').fill('avx2');
    await expect.poll(() => page.locator('.colh').count()).toBe(1);
    await page.locator('.colh').focus();
    const card = (await page.locator('.inspector').textContent()) ?? '';
    expect(card).toContain('0x07.0 EBX[5]');
    await page.locator('#matrix').scrollIntoViewIfNeeded();
    await shot('matrix');
    await page.locator('.mx-toolbar input[type=search]').fill('');
  });

  it('adds a host by paste, notices the same paste twice, and can remove it again', async () => {
    const text = readFileSync(join(fixturesDir, `${IVY}.cpuinfo`), 'utf8');
    await page.locator('#add-hosts-text').fill(text);
    await page.locator('#add-hosts-name').fill(IVY);
    await page.locator('#add-hosts-submit').click();
    await expect.poll(() => page.locator('.mx-row[data-host]').count()).toBe(3);
    expect(await cpu()).not.toContain('avx2');
    await expect
      .poll(() => page.locator('.lost-group', { has: page.locator('[data-feature="avx2"]') }).textContent())
      .toContain(IVY);
    const box = page.locator('input[data-feature="avx2"]');
    if (!(await box.count())) await page.locator('#ft-all').check();
    expect(await box.isDisabled()).toBe(true);
    expect(await page.locator('#ft-avx2-why').textContent()).toContain(IVY);
    // What-if names the Ivy Bridge group as what holds avx2 back
    await expect.poll(() => page.locator(`.blockers li[data-host="${IVY}"]`).textContent()).toContain('avx2');
    // The same text again is not a fourth host
    await page.locator('#add-hosts-text').fill(text);
    await page.locator('#add-hosts-submit').click();
    await expect.poll(() => page.locator('#add-hosts-messages').textContent()).toContain('not added again');
    expect(await page.locator('.mx-row[data-host]').count()).toBe(3);
    await page.locator('#add').scrollIntoViewIfNeeded();
    await shot('added-host');
  });

  it('reads two cpuinfo dumps pasted together as two hosts', async () => {
    const a = readFileSync(join(fixturesDir, 'Xeon-E5649_westmere.cpuinfo'), 'utf8');
    const b = readFileSync(join(fixturesDir, 'EPYC-7301_naples.cpuinfo'), 'utf8');
    await page.locator('#add-hosts-text').fill(`${a}\n${b}`);
    await page.locator('#add-hosts-name').fill('pair');
    await page.locator('#add-hosts-submit').click();
    await expect.poll(() => page.locator('.mx-row[data-host]').count()).toBe(5);
    expect(await page.locator('#add-hosts-messages').textContent()).toContain('2 cpuinfo dumps');
    await page.getByRole('button', { name: 'Remove pair-1' }).click();
    await page.getByRole('button', { name: 'Remove pair-2' }).click();
    await expect.poll(() => page.locator('.mx-row[data-host]').count()).toBe(3);
  });

  it('shows the reader error inline for text it cannot read', async () => {
    await page.locator('#add-hosts-text').fill('this is not cpu data');
    await page.locator('#add-hosts-submit').click();
    await expect.poll(() => page.locator('#add-hosts-messages .error').textContent()).toMatch(/unrecognized format/);
    expect(await page.locator('.mx-row[data-host]').count()).toBe(3);
  });

  it('gives one verdict per VM, by CPU model', async () => {
    await page.locator('#vms-text').fill('cpu: x86-64-v3\ncores: 4\nmemory: 8192\n');
    await page.locator('#vms-name').fill('web01');
    await page.locator('#vms-submit').click();
    const row = page.locator('.vm-table tr[data-vm="web01"]');
    await row.waitFor();
    await expect.poll(() => row.locator('.verdict').textContent()).toContain('2 of 3 hosts');
    const ivy = row.locator('.vm-groups li.bad');
    expect(await ivy.textContent()).toContain('avx2');
    await page.locator('#vms').scrollIntoViewIfNeeded();
    await shot('vms');
  });

  it('keeps the session across a reload', async () => {
    const again = await openPage(server.url, problems);
    try {
      await expect.poll(() => again.locator('.mx-row[data-host]').count()).toBe(2);
    } finally {
      await again.close();
    }
    await page.reload();
    await page.waitForSelector('body[data-settled]');
    // this page added the Ivy Bridge host: it comes back after the reload
    await expect.poll(() => page.locator('.mx-row[data-host]').count()).toBe(3);
    await page.getByRole('button', { name: `Remove ${IVY}` }).click();
    await expect.poll(() => page.locator('.mx-row[data-host]').count()).toBe(2);
  });

  it('has no serious or critical axe findings, in light and dark', async () => {
    await page.locator('details.policy summary').click();
    expect(await axeFindings(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeFindings(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('raised no page errors, console errors or external requests', () => {
    expect(problems).toEqual([]);
  });
});

describe('dashboard on a 300-host fleet', () => {
  let fleet: RunningServer;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    fleet = await startServer({ inputs: fixtureFleet(300), port: 0, webRoot });
    page = await openPage(fleet.url, problems);
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    await fleet?.close();
  });

  it('What-if shows the CPU-model groups, the gain chart and the per-vendor alternatives', async () => {
    await page.locator('#whatif').scrollIntoViewIfNeeded();
    expect(await page.locator('#whatif .blockers li[data-group]').count()).toBeGreaterThan(1);
    expect(await page.locator('#whatif .gain-chart .bar').count()).toBeGreaterThan(2);
    const vendors = await page
      .locator('#whatif .alt')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-vendor')));
    expect(vendors.sort()).toEqual(['AuthenticAMD', 'GenuineIntel']);
    await page.screenshot({ path: join(artifacts, 'web-fleet-whatif.png') });
  });

  it('ranks what breaks the answer first, each with its fix one click away', async () => {
    const breaks = page.locator('.warnings.breaks li');
    // The fixtures include a truncated dump (no lm, sse2...): it must come first, in red, with its fix
    expect(await page.locator('.warnings li').first().getAttribute('class')).toContain('sev-breaks');
    expect(await page.locator('.warnings.breaks [data-code="incomplete-profile"]').count()).toBe(1);
    const before = await page.locator('.headline').textContent();
    for (let n = await breaks.count(); n > 0; n--) await breaks.first().locator('button').click();
    await expect.poll(() => breaks.count()).toBe(0);
    expect(await page.locator('.headline').textContent()).not.toBe(before);
  });

  it('fits the VM verdicts into the window', async () => {
    await page.locator('#vms-text').fill('cpu: x86-64-v2-AES\n');
    await page.locator('#vms-name').fill('db01');
    await page.locator('#vms-submit').click();
    await page.locator('.vm-table tr[data-vm="db01"]').waitFor();
    const box = await page.locator('.vm-table').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1440);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1440);
    await page.locator('#vms').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'web-fleet-vms.png') });
  });

  it('has no serious or critical axe findings', async () => {
    expect(await axeFindings(page)).toEqual([]);
  });

  it('raised no page errors', () => {
    expect(problems).toEqual([]);
  });
});
