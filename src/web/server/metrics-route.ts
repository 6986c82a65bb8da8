/**
 * GET /metrics: the Prometheus exposition of the inventory and the plan (src/metrics), computed at
 * each scrape so a scan beside the server shows up at once. Scrapes that arrive while one is being
 * computed share its answer. Auth is the server's: loopback by default, the token (Authorization:
 * Bearer, what Prometheus' `authorization` scrape setting sends) when one is set.
 */
import { Hono } from 'hono';
import { errorLine } from '../../errors.js';
import { safeLine } from '../../safe-text.js';
import { EXPOSITION_CONTENT_TYPE } from '../../metrics/exposition.js';

/** Renders the exposition text now. */
export type MetricsSource = () => Promise<string>;

export function metricsRoutes(source: MetricsSource): Hono {
  let inFlight: Promise<string> | null = null;
  const render = () =>
    (inFlight ??= source().finally(() => {
      inFlight = null;
    }));
  const app = new Hono();
  app.get('/', async (c) => {
    try {
      return c.body(await render(), 200, { 'Content-Type': EXPOSITION_CONTENT_TYPE, 'Cache-Control': 'no-store' });
    } catch (e) {
      // A damaged or vanished inventory: Prometheus marks the target down (up == 0) and keeps the reason
      return c.text(`cannot compute the metrics: ${safeLine(errorLine(e))}\n`, 500);
    }
  });
  return app;
}
