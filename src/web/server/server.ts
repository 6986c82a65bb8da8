/** `migratable serve`: the dashboard and its JSON API on one port. Node-only. */
import { InputError } from '../../errors.js';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostProfile } from '../../profile/host-profile.js';
import { apiRoutes } from './api.js';
import { PastePool } from './paste/pool.js';
import { isLoopback, requireLoopbackHost, requireToken } from './auth.js';
import type { DriftSource } from '../common/drift.js';
import type { DrainSource, PlanProvider } from './plan/service.js';
import { securityHeaders } from './headers.js';
import { cappedServer } from './capped-server.js';
import { metricsRoutes, type MetricsSource } from './metrics-route.js';
import { defaultWebRoot, serveUi } from './static.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8417;

export interface ServerOptions {
  inputs: HostProfile[];
  /** 0 picks a free port */
  port?: number;
  host?: string;
  /** Required to bind anything but loopback; then every /api request must carry it */
  token?: string;
  drift?: DriftSource;
  /** The cluster's plan (serve --pve-config): GET /api/plan and /api/vms/:vmid/targets; closed with the server */
  plan?: PlanProvider;
  /** serve --pve-config: GET/POST /api/drain */
  drain?: DrainSource;
  /** GET /metrics: the Prometheus exposition (src/metrics), behind the same token as the API */
  metrics?: MetricsSource;
  /** Directory with the built UI (default: this package's dist/web) */
  webRoot?: string;
}

export interface RunningServer {
  /** Base URL; with a token, open `${url}?token=...` in the browser */
  url: string;
  port: number;
  /** The address actually bound */
  address: string;
  close(): Promise<void>;
}

export class ServeError extends Error {}

export function createApp(opts: Omit<ServerOptions, 'port' | 'host'>, pastes = new PastePool()): Hono {
  const app = new Hono();
  app.use('*', securityHeaders());
  if (opts.token) {
    app.use('/api/*', requireToken(opts.token));
    app.use('/metrics/*', requireToken(opts.token));
  } else app.use('*', requireLoopbackHost());
  app.route('/api', apiRoutes({ hosts: opts.inputs, drift: opts.drift, pastes, plan: opts.plan, drain: opts.drain }));
  if (opts.metrics) app.route('/metrics', metricsRoutes(opts.metrics));
  serveUi(app, opts.webRoot ?? defaultWebRoot());
  return app;
}

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? DEFAULT_HOST;
  if (opts.token !== undefined && opts.token.length < 16) {
    return Promise.reject(
      new InputError('--access-token', 'must be at least 16 characters (e.g. from: openssl rand -hex 16)'),
    );
  }
  if (!isLoopback(host) && !opts.token) {
    return Promise.reject(
      new InputError(
        '--bind',
        `refusing to listen on ${host} without a token: anyone who can reach it would see your hosts; pass --access-token (e.g. --access-token "$(openssl rand -hex 16)") or bind 127.0.0.1`,
      ),
    );
  }
  const pastes = new PastePool();
  const app = createApp(opts, pastes);
  return new Promise((resolve, reject) => {
    const onError = (e: Error) =>
      reject(new ServeError(`cannot listen on ${host}:${opts.port ?? DEFAULT_PORT}: ${e.message}`));
    const server = cappedServer(getRequestListener(app.fetch, { hostname: host }));
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', onError);
      const info = server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${info.port}/`,
        port: info.port,
        address: info.address,
        close: () => drainAndClose(server, pastes).then(() => opts.plan?.close()),
      });
    });
    server.once('error', onError);
    // A client that sends headers or a body slower than this is cut off rather than held forever
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
  });
}

/** Requests are given DRAIN_MS to finish; connections still open then (a half-sent request) are cut. */
export const DRAIN_MS = 3000;

function drainAndClose(server: Server, pastes: PastePool): Promise<void> {
  return new Promise<void>((done) => {
    const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    server.close(() => {
      clearTimeout(cut);
      void pastes.close().finally(done);
    });
    server.closeIdleConnections();
  });
}
