/**
 * One GET against the Proxmox API, with bounded time and size, returning the parsed JSON body with
 * the token secret redacted from every string in it. Every error is one line naming the URL, redacted too.
 */
import { request } from 'node:https';
import { connectTls, TlsPinError, type TlsTarget } from './tls.js';
import type { PveToken } from './token.js';

export type PveErrorKind =
  'auth' | 'forbidden' | 'not-found' | 'not-implemented' | 'http' | 'tls' | 'network' | 'timeout' | 'bad-response';

export class PveApiError extends Error {
  constructor(
    readonly kind: PveErrorKind,
    readonly url: string,
    /** The message without the URL */
    readonly detail: string,
    readonly status?: number,
  ) {
    super(`${url}: ${detail}`);
    this.name = 'PveApiError';
  }
}

export interface HttpTarget extends TlsTarget {
  token: PveToken;
  /** Whole request, connect to last body byte */
  requestTimeoutMs: number;
  maxBodyBytes: number;
  debug?: (line: string) => void;
}

export interface PveResponse {
  status: number;
  body: unknown;
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function apiBase(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}/api2/json`;
}

function statusError(url: string, status: number, reason: string): PveApiError {
  const r = reason ? ` (${reason})` : '';
  switch (status) {
    case 401:
      return new PveApiError(
        'auth',
        url,
        `401 authentication failed${r}; check the API token (USER@REALM!TOKENID=SECRET)`,
        status,
      );
    case 403:
      return new PveApiError(
        'forbidden',
        url,
        `403 permission denied${r}; the token needs Sys.Audit on /nodes (a privilege-separated token needs its own ACL entry)`,
        status,
      );
    case 404:
      return new PveApiError('not-found', url, `404 not found${r}`, status);
    case 501:
      return new PveApiError(
        'not-implemented',
        url,
        `501 not implemented${r}; this PVE version lacks the endpoint`,
        status,
      );
    default:
      return new PveApiError('http', url, `HTTP ${status}${r}`, status);
  }
}

function networkError(url: string, e: NodeJS.ErrnoException, t: HttpTarget): PveApiError {
  if (e instanceof TlsPinError) return new PveApiError('tls', url, e.message);
  const code = e.code ?? '';
  if (code === 'ETIMEDOUT') return new PveApiError('timeout', url, `timed out (${e.message})`);
  if (TLS_TRUST_CODES.has(code)) {
    const hint = t.fingerprint
      ? ''
      : "; pin the node's certificate with its SHA-256 fingerprint (pvenode cert info) or pass its CA";
    return new PveApiError('tls', url, `TLS certificate not accepted (${code}: ${e.message})${hint}`);
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS/.test(e.message)) {
    return new PveApiError('tls', url, `TLS failure: ${code || e.message}`);
  }
  return new PveApiError('network', url, `cannot reach the server: ${code || e.message}`);
}

/** GET `path` (starting with '/', relative to /api2/json). Resolves for any HTTP status. */
export function pveGet(t: HttpTarget, path: string): Promise<PveResponse> {
  const url = apiBase(t.host, t.port) + path;
  const started = Date.now();
  const log = (line: string) => t.debug?.(t.token.redact(line));
  // Redact as a last line of defence: no message we build includes the token, but a server may echo things.
  const fail = (e: PveApiError) => new PveApiError(e.kind, e.url, t.token.redact(e.detail), e.status);

  return new Promise<PveResponse>((resolve, reject) => {
    let settled = false;
    const done = (err: PveApiError | null, res?: PveResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        const safe = fail(err);
        log(`GET ${url} -> error after ${Date.now() - started} ms: ${safe.detail}`);
        reject(safe);
      } else {
        log(`GET ${url} -> ${res!.status} in ${Date.now() - started} ms`);
        resolve(res!);
      }
    };
    const req = request(url, {
      method: 'GET',
      headers: {
        Authorization: t.token.authorizationHeader(),
        Accept: 'application/json',
        'User-Agent': 'migratable',
      },
      // We open (and verify or pin) the TLS socket ourselves; see tls.ts.
      createConnection: ((_: unknown, cb: (err: Error | null, s?: unknown) => void) => {
        connectTls(t).then(
          (s) => cb(null, s),
          (e: Error) => cb(e),
        );
        return undefined;
      }) as never,
    });
    const timer = setTimeout(() => {
      req.destroy();
      done(new PveApiError('timeout', url, `timed out after ${t.requestTimeoutMs} ms`));
    }, t.requestTimeoutMs);
    req.on('error', (e) => done(networkError(url, e, t)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > t.maxBodyBytes) {
          req.destroy();
          done(new PveApiError('bad-response', url, `response larger than ${t.maxBodyBytes} bytes`));
        } else chunks.push(c);
      });
      res.on('error', (e) => done(networkError(url, e, t)));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          // The one redaction for every command that talks to the API: nothing the server says carries the token on
          body = text === '' ? null : t.token.redactValue(JSON.parse(text));
        } catch {
          if (status < 300)
            return done(new PveApiError('bad-response', url, `HTTP ${status} with a body that is not JSON`));
        }
        if (status >= 200 && status < 300) return done(null, { status, body });
        // PVE puts the reason in the status line and, for JSON, also in body.message.
        const msg = (body as { message?: unknown } | null)?.message;
        const reason = String(typeof msg === 'string' && msg.trim() ? msg : (res.statusMessage ?? ''))
          .trim()
          .replace(/\s+/g, ' ');
        done(statusError(url, status, reason.slice(0, 200)));
      });
    });
    req.end();
  });
}
