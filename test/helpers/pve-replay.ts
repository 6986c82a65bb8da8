/**
 * A local HTTPS server that answers like the Proxmox VE API from recorded bodies in
 * test/fixtures/pve/<version>/<path>.json. It uses a real TLS handshake with a throwaway
 * self-signed certificate and checks the token header exactly.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pve');

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  authorization: string | undefined;
}

export interface PveReplayOptions {
  version: '8.4' | '9.2';
  /** Full token `USER@REALM!TOKENID=SECRET` the server accepts */
  token: string;
  /** Force an answer for a path (without query), e.g. {'/nodes': {status: 403, message: 'Permission check failed'}} */
  overrides?: Record<string, { status: number; message: string }>;
  /** Serve bodies from this directory instead of FIXTURES_DIR/<version> */
  dir?: string;
  /** Wait this long before answering anything */
  delayMs?: number;
  /** Change a recorded body before sending it (a hostile server) */
  rewrite?: (path: string, body: string) => string;
}

export interface PveReplay {
  host: string;
  port: number;
  /** SHA-256 fingerprint of the server certificate, `AA:BB:...` */
  fingerprint: string;
  certPem: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', fail);
    p.on('close', (code) => (code === 0 ? ok() : fail(new Error(`${cmd} exited ${code}: ${err.trim()}`))));
  });
}

let certCache: Promise<{ key: string; cert: string }> | undefined;

/** One self-signed EC certificate per test process. */
export function selfSignedCert(): Promise<{ key: string; cert: string }> {
  certCache ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pve-replay-'));
    try {
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-days',
        '2',
        '-keyout',
        key,
        '-out',
        cert,
      ]);
      return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return certCache;
}

function send(res: import('node:http').ServerResponse, status: number, reason: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, reason, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The options that point a command at a replay: its address, the token file, the pinned certificate. */
export function pveApiArgs(srv: PveReplay, tokenFile: string, fingerprint = srv.fingerprint): string[] {
  return ['--pve', `https://127.0.0.1:${srv.port}`, '--token-file', tokenFile, '--fingerprint', fingerprint];
}

export async function startPveReplay(opts: PveReplayOptions): Promise<PveReplay> {
  const { key, cert } = await selfSignedCert();
  const requests: RecordedRequest[] = [];
  const base = opts.dir ?? join(FIXTURES_DIR, opts.version);

  const server: Server = createServer({ key, cert }, async (req, res) => {
    const u = new URL(req.url ?? '/', 'https://localhost');
    const auth = req.headers.authorization;
    const rel = u.pathname.replace(/^\/api2\/json/, '');
    requests.push({ method: req.method ?? '', path: rel, query: u.search, authorization: auth });
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));

    if (auth === undefined) return send(res, 401, 'No ticket', { data: null, message: 'No ticket' });
    if (auth !== `PVEAPIToken=${opts.token}`) {
      return send(res, 401, 'authentication failure', { data: null, message: 'authentication failure' });
    }
    const forced = opts.overrides?.[rel];
    if (forced) return send(res, forced.status, forced.message, { data: null, message: forced.message });

    const notImplemented = () => {
      const msg = `Method '${req.method} ${rel}' not implemented`;
      send(res, 501, msg, { data: null, message: msg });
    };
    if (req.method !== 'GET' || !u.pathname.startsWith('/api2/json/') || rel.split('/').some((s) => s === '..')) {
      return notImplemented();
    }
    try {
      const raw = await readFile(join(base, `${rel}.json`), 'utf8');
      const body = JSON.parse(opts.rewrite ? opts.rewrite(rel, raw) : raw);
      send(res, 200, 'OK', body);
    } catch {
      notImplemented(); // PVE answers unknown API paths with 501
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    fingerprint: new X509Certificate(cert).fingerprint256,
    certPem: cert,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
