#!/usr/bin/env node
/**
 * Bundles the CLI (src/cli/main.ts) into dist/cli/: one file for the command definitions, one chunk per
 * command implementation (the `await import(...)`s), shared code in chunks. Node then reads a handful of
 * files instead of some 400 modules (zod and fast-xml-parser alone are ~130): start-up is bench/startup.ts.
 * Packages a command loads only now and then stay outside (native better-sqlite3, the web server, ...).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonAsParse } from './json-as-parse.mjs';
import { zodEnglishOnly } from './zod-locales.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/cli');

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [
    join(root, 'src/cli/main.ts'),
    // serve parses pastes in a worker thread: new URL('./worker.js', import.meta.url) from its chunk
    { in: join(root, 'src/web/server/paste/worker.ts'), out: 'worker' },
    // and plans a cluster copy in another: new URL('./plan-worker.js', import.meta.url)
    { in: join(root, 'src/web/server/plan/plan-worker.ts'), out: 'plan-worker' },
  ],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // less to parse at every start (messages keep their text; stack traces show short names: dist/src has the plain build)
  minify: true,
  external: ['better-sqlite3', 'cli-progress', 'diff', 'hono', '@hono/node-server'],
  // commander is CommonJS and requires node: built-ins; an ESM bundle needs a real require for them
  banner: {
    js: "import { createRequire as __migratableRequire } from 'node:module';\nconst require = __migratableRequire(import.meta.url);",
  },
  // the catalog's JSON as JSON.parse strings: parsed several times faster at every start
  // and zod's error messages in English only (the only language it is configured with)
  plugins: [jsonAsParse, zodEnglishOnly],
  logLevel: 'warning',
});
