/** The built UI (dist/web/, see scripts/build-web.mjs): a fixed list of files, so no path ever reaches the disk. Node-only. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** dist/web of this package, found from this module whether it runs from src/ (tsx) or dist/src/. */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    const up = dirname(dir);
    if (up === dir) return join(process.cwd(), 'dist', 'web');
    dir = up;
  }
}

export function serveUi(app: Hono, webRoot: string): void {
  for (const [route, file] of Object.entries(FILES)) {
    app.get(route, (c) => {
      const path = join(webRoot, file);
      // Read per request: a rebuilt bundle shows up on reload
      if (!existsSync(path)) {
        return c.text(`migratable: the web UI is not built (${path} is missing); run: npm run build:web\n`, 503);
      }
      return c.body(readFileSync(path), 200, { 'Content-Type': TYPES[file.split('.').pop()!] });
    });
  }
}
