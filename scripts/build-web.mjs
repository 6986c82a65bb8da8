#!/usr/bin/env node
/**
 * Builds the dashboard: bundles src/web/ui/main.ts (and the engine it imports) into dist/web/app.js,
 * copies index.html and style.css. Run: node scripts/build-web.mjs   Import: buildWeb({ outdir }).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonAsParse } from './json-as-parse.mjs';
import { NODE_ONLY } from './layers.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ui = join(root, 'src/web/ui');

/** Modules that read files or run processes (scripts/layers.mjs): if one is ever imported by the UI, the build fails rather than shipping it. */
const nodeOnly = NODE_ONLY.map((m) => `src/${m}`);
const isNodeOnly = (p) => nodeOnly.some((m) => (m.endsWith('/') ? p.startsWith(m) : p === m));

export async function buildWeb({ outdir = join(root, 'dist/web'), minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(ui, 'main.ts')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify,
    sourcemap: false,
    metafile: true,
    legalComments: 'none',
    plugins: [jsonAsParse],
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, resolve(root, p)).replace(/\\/g, '/'));
  const leaked = inputs.filter(isNodeOnly);
  if (leaked.length) throw new Error(`build-web: Node-only modules in the browser bundle: ${leaked.join(', ')}`);
  for (const f of ['index.html', 'style.css']) copyFileSync(join(ui, f), join(outdir, f));
  const bytes = result.metafile.outputs[relative(process.cwd(), join(outdir, 'app.js')).replace(/\\/g, '/')]?.bytes;
  return { outdir, inputs: inputs.length, bytes: bytes ?? null };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildWeb();
  console.log(
    `build-web: ${relative(process.cwd(), r.outdir)}/app.js from ${r.inputs} modules${r.bytes ? `, ${Math.round(r.bytes / 1024)} KiB` : ''}`,
  );
}
