/**
 * Dashboard render benchmark: 1000 hosts x 200 features in Chromium. Prints time to interactive
 * (navigation start to the first full render with the model computed; target < 500 ms), then the
 * cost of a feature toggle (model recomputed, every panel redrawn) and of scrolling the matrix.
 *
 *   npx tsx bench/web-render.ts [--hosts 1000] [--features 200] [--runs 5]
 *
 * Hosts are the cpuinfo fixtures (test/fixtures/cpuinfo) cycled and thinned at random with a
 * fixed seed, restricted to their 200 most common features: realistic vendors, models and gaps.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/helpers/chromium.js';
import { allFeatures } from '../src/catalog/index.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer } from '../src/web/server/server.js';
// @ts-expect-error plain ESM build script without types
import { buildWeb } from '../scripts/build-web.mjs';
import { numberOption } from './options.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const HOSTS = numberOption('hosts', 1000);
const FEATURES = numberOption('features', 200);
const RUNS = numberOption('runs', 5);

/** mulberry32: the same hosts every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fleet(): HostProfile[] {
  // the set includes one cut-off dump (Xeon-E5504), which is refused without allowIncomplete
  const fixtures = readProfileInputs([join(root, 'test/fixtures/cpuinfo')], { allowIncomplete: true });
  const freq = new Map<string, number>();
  for (const p of fixtures) for (const f of p.features) freq.set(f, (freq.get(f) ?? 0) + 1);
  const keep = new Set(
    [...freq]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, FEATURES)
      .map(([f]) => f),
  );
  // The fixtures know fewer than 200 features together: top up with catalog bits a third of the hosts have
  const extra = allFeatures()
    .filter((f) => f.kvm === 'passthrough' && f.category !== 'virtualization' && !freq.has(f.name))
    .slice(0, Math.max(0, FEATURES - keep.size))
    .map((f) => f.name);
  const random = rng(42);
  return Array.from({ length: HOSTS }, (_, i) => {
    const base = fixtures[i % fixtures.length];
    // One host in fifty lost a feature (BIOS setting, microcode): rows differ within one CPU model
    const features = [...base.features.filter((f) => keep.has(f)), ...(i % 3 === 0 ? extra : [])];
    if (random() < 0.02) features.splice(Math.floor(random() * features.length), 1);
    return { ...base, name: `node-${String(i + 1).padStart(4, '0')}`, features };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const hosts = fleet();
const union = new Set(hosts.flatMap((h) => h.features));
const webRoot = join(root, '.tmp/web-bench');
await buildWeb({ outdir: webRoot });
const server = await startServer({ inputs: hosts, port: 0, webRoot });
const browser = await launchChromium();
try {
  const tti: number[] = [];
  const settled: number[] = [];
  const toggle: number[] = [];
  const scroll: number[] = [];
  const phases: Array<{ html: number; appJs: number; scriptDone: number; hosts: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('crash', () => console.error('page crashed'));
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    tti.push(Number(await page.getAttribute('body', 'data-ready')));
    await page.waitForSelector('body[data-settled]', { timeout: 30_000 });
    settled.push(Number(await page.getAttribute('body', 'data-settled')));
    phases.push(
      // A string, not a function: tsx would wrap named helpers in __name(), which the page lacks
      await page.evaluate(`(() => {
        const res = performance.getEntriesByType('resource');
        const end = (n) => Math.round(res.find((r) => r.name.endsWith(n))?.responseEnd ?? NaN);
        const nav = performance.getEntriesByType('navigation')[0];
        return { html: Math.round(nav.responseEnd), appJs: end('/app.js'), scriptDone: Math.round(nav.domContentLoadedEventEnd), hosts: end('/api/hosts') };
      })()`),
    );
    // Toggle: from the click to the next painted frame, model and panels updated
    toggle.push(
      await page.evaluate(async () => {
        const box = document.querySelector<HTMLInputElement>('input[data-feature]:not(:disabled):checked')!;
        const t0 = performance.now();
        box.click();
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        return performance.now() - t0;
      }),
    );
    // Scroll: jump through the matrix and redraw the rows in view, 20 times
    scroll.push(
      await page.evaluate(async () => {
        const el = document.querySelector<HTMLElement>('.mx-scroll')!;
        const t0 = performance.now();
        for (let i = 1; i <= 20; i++) {
          el.scrollTop = (el.scrollHeight * i) / 21;
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        }
        return (performance.now() - t0) / 20;
      }),
    );
    if (run === 0) {
      const rows = await page.locator('.mx-row[data-host]').count();
      const cols = await page.locator('.colh').count();
      console.log(
        `matrix: ${hosts.length} hosts x ${union.size} features (${cols} columns; ${rows} rows in the DOM at a time)`,
      );
      await page.screenshot({ path: join(root, 'test-artifacts/web-bench.png') }).catch(() => {});
    }
    await page.close();
  }
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`time to interactive: ${fmt(tti)}  target < 500 ms: ${median(tti) < 500 ? 'met' : 'MISSED'}`);
  const last = phases[phases.length - 1];
  console.log(
    `  last run: html ${last.html} ms, app.js loaded ${last.appJs}, script run ${last.scriptDone}, /api/hosts loaded ${last.hosts}, interactive ${tti[tti.length - 1].toFixed(0)}`,
  );
  console.log(`every panel drawn (matrix included): ${fmt(settled)}`);
  console.log(`feature toggle -> model + panels redrawn: ${fmt(toggle)}`);
  console.log(`matrix scroll, per jump incl. 2 frames: ${fmt(scroll)}`);
} finally {
  await browser.close();
  await server.close();
}
