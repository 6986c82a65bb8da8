/**
 * TLS to a Proxmox node: verified against the system CAs (or a given CA), or pinned to one
 * certificate by its SHA-256 fingerprint. Pinning checks the certificate in 'secureConnect'
 * before the socket is handed to the HTTP layer, so no request byte (and no token) reaches a
 * server with another certificate.
 */
import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { InputError } from '../../errors.js';

/** `AA:BB:...` upper-case, the form `pvenode cert info` and the GUI show. Accepts bare hex too. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp
    .trim()
    .replace(/^sha256[:=\s]*/i, '')
    .replace(/:/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new InputError('fingerprint', 'expected a SHA-256 certificate fingerprint: 32 hex bytes like AB:CD:...');
  }
  return hex.match(/../g)!.join(':');
}

export interface TlsTarget {
  host: string;
  port: number;
  /** Normalized pin; when set, only this certificate is accepted (CA checks are skipped). */
  fingerprint?: string;
  /** Extra CA certificates (PEM) instead of the system store */
  ca?: string | Buffer;
  timeoutMs: number;
}

export class TlsPinError extends Error {
  readonly code = 'ERR_MIGRATABLE_FINGERPRINT_MISMATCH';
  constructor(
    readonly got: string,
    readonly expected: string,
  ) {
    super(`TLS certificate fingerprint mismatch: server sent ${got}, expected ${expected}`);
  }
}

export class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no TLS connection within ${ms} ms`);
  }
}

/** Resolves with a connected, verified socket. */
export function connectTls(t: TlsTarget): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const sock = connect({
      host: t.host,
      port: t.port,
      // SNI must be a name; for IP literals Node checks the IP SANs instead.
      servername: isIP(t.host) ? undefined : t.host,
      rejectUnauthorized: t.fingerprint === undefined,
      ca: t.ca,
      ALPNProtocols: ['http/1.1'],
    });
    const fail = (e: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new ConnectTimeoutError(t.timeoutMs)), t.timeoutMs);
    sock.once('error', fail);
    sock.once('secureConnect', () => {
      if (t.fingerprint !== undefined) {
        const got = sock.getPeerCertificate()?.fingerprint256 ?? '(none)';
        if (got !== t.fingerprint) return fail(new TlsPinError(got, t.fingerprint));
      }
      clearTimeout(timer);
      sock.removeListener('error', fail);
      resolve(sock);
    });
  });
}
