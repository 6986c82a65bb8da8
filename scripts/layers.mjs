/**
 * The import layers of src/ (README, "How it is built"), in one place: the ESLint rule
 * `migratable/layers` (eslint.config.js, part of `npm run lint`) checks every import, export-from and
 * import() against them, and scripts/build-web.mjs refuses NODE_ONLY modules in the browser bundle.
 *
 * A file belongs to the longest folder below that holds it; files directly in src/ (errors, version, tool-version,
 * safe-text, safe-json, redact, wrap) are utilities every layer may import, and they import no layer. A layer may import
 * itself, the utilities and the layers it lists; nothing else in src/, and outside src/ only data/.
 */
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(root, 'src');

const BASE = ['catalog', 'profile', 'formats'];

/** Layer -> the layers it may import. `browser`: runs in the dashboard too, so nothing Node-only. */
export const LAYERS = {
  catalog: { may: [], browser: true },
  profile: { may: ['catalog'], browser: true },
  formats: { may: ['catalog', 'profile'], browser: true },
  engine: { may: BASE, browser: true },
  emitters: { may: [...BASE, 'engine'], browser: true },
  // Readers turn input into profile types with the formats and the catalog, never the engine
  sources: { may: BASE },
  qemu: { may: [] },
  // How files are written (one output-file writer, lock owners): Node-only, below everything that writes
  fs: { may: [] },
  // Running a child process bounded in time and output, in its own process group: Node-only
  process: { may: [] },
  verify: { may: [...BASE, 'sources', 'qemu', 'process'] },
  fleet: { may: [...BASE, 'engine', 'sources', 'fs', 'process'] },
  // The Proxmox wing: cluster config, HA, plan, apply, API client; above the engine, emitters, readers, fleet
  proxmox: { may: [...BASE, 'engine', 'emitters', 'sources', 'fleet', 'fs'] },
  // Prometheus metrics from the inventory and the plan (metrics -o, serve's /metrics)
  metrics: { may: [...BASE, 'engine', 'fleet', 'proxmox'] },
  'web/common': { may: [...BASE, 'engine', 'emitters'], browser: true },
  'web/ui': { may: [...BASE, 'engine', 'emitters', 'sources', 'proxmox', 'web/common'], browser: true },
  'web/server': { may: [...BASE, 'engine', 'emitters', 'sources', 'fleet', 'proxmox', 'metrics', 'web/common', 'fs'] },
  cli: {
    may: [
      ...BASE,
      'engine',
      'emitters',
      'sources',
      'qemu',
      'verify',
      'fleet',
      'proxmox',
      'metrics',
      'web/server',
      'fs',
      'process',
    ],
  },
};

/** Modules that read files, open sockets or run processes (src-relative; a trailing / is a folder). */
export const NODE_ONLY = [
  'sources/files.ts',
  'sources/bounded-read.ts',
  'sources/vm/files.ts',
  'qemu/',
  'fs/',
  'process/',
  'verify/',
  'fleet/',
  'proxmox/api/',
  'proxmox/apply/',
  'proxmox/config/etc-pve.ts',
  'proxmox/config/api.ts',
  'proxmox/plan/inputs.ts',
  'proxmox/versions/content.ts',
  'proxmox/versions/cluster-uses.ts',
  'metrics/collect.ts',
  'cli/',
  'web/server/',
];

/** Packages that need Node. */
const NODE_PACKAGES = ['better-sqlite3', '@hono/node-server', 'cli-progress', 'commander'];

const UTILITIES = '';
const byLength = Object.keys(LAYERS).sort((a, b) => b.length - a.length);

/** The layer of a src-relative path ("" for the utilities in src/ itself), or null outside any layer. */
export function layerOf(srcPath) {
  const p = srcPath.split(sep).join('/');
  if (!p.includes('/')) return UTILITIES;
  return byLength.find((l) => p.startsWith(`${l}/`)) ?? null;
}

const isNodeOnly = (srcPath) =>
  NODE_ONLY.some((m) => (m.endsWith('/') ? srcPath.startsWith(m) : srcPath.replace(/\.js$/, '.ts') === m));

function isNodePackage(spec) {
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  return spec.startsWith('node:') || builtinModules.includes(name) || NODE_PACKAGES.includes(name);
}

/** Why `from` (src-relative) may not import `spec`, or null when it may. */
export function importProblem(fromSrcPath, spec) {
  const from = layerOf(fromSrcPath);
  if (from === null) return null;
  const browser = from !== UTILITIES && LAYERS[from].browser;
  if (!spec.startsWith('.')) {
    return browser && isNodePackage(spec) ? `src/${from} runs in the browser too: it may not import ${spec}` : null;
  }
  const target = resolve(src, dirname(fromSrcPath), spec);
  const rel = relative(src, target).split(sep).join('/');
  if (rel.startsWith('../')) {
    const outside = relative(root, target).split(sep).join('/');
    return outside.startsWith('data/') ? null : `src may not import ${outside} (outside src/ and data/)`;
  }
  const to = layerOf(rel);
  if (from === UTILITIES && to !== UTILITIES) return `src/${fromSrcPath} is a utility: it may not import src/${to}`;
  if (to !== from && to !== UTILITIES && (to === null || !LAYERS[from].may.includes(to)))
    return `src/${from} may not import src/${to ?? rel} (the layers in README "How it is built"; scripts/layers.mjs)`;
  if (browser && isNodeOnly(rel)) return `src/${from} runs in the browser too: it may not import Node-only src/${rel}`;
  return null;
}

/** ESLint rule: every import, export-from and import() of a file in src/ follows the layers. */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports run one way: a layer of src/ never imports a higher one' },
    schema: [],
    messages: { layer: '{{problem}}' },
  },
  create(context) {
    const rel = relative(src, context.filename);
    if (rel.startsWith('..') || !/\.[cm]?[jt]s$/.test(rel)) return {};
    const check = (node) => {
      if (node.source?.type !== 'Literal' || typeof node.source.value !== 'string') return;
      const problem = importProblem(rel, node.source.value);
      if (problem) context.report({ node: node.source, messageId: 'layer', data: { problem } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
