/** Who may talk to `migratable serve`: loopback callers, and with a token only callers that present it. Node-only. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/i;

export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address.replace(/^\[|\]$/g, ''));
}

/** Constant time whatever the lengths: both sides hashed first, so no early exit leaks a prefix. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function presentedToken(header: string | undefined, query: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(.+)$/i);
  return m ? m[1].trim() : query;
}

/** Every /api request carries the token (Authorization: Bearer or ?token=). */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = presentedToken(c.req.header('authorization'), c.req.query('token'));
    if (given === undefined || !tokenMatches(given, token)) {
      return c.json({ error: 'missing or wrong token: send Authorization: Bearer <token> or ?token=<token>' }, 401, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
  };
}

/**
 * Without a token the only protection is the loopback bind; a web page could still reach it by
 * DNS rebinding (its own name resolving to 127.0.0.1), which this refuses by the Host header.
 */
export function requireLoopbackHost(): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    if (!isLoopback(host))
      return c.json(
        { error: `Host ${JSON.stringify(host)} is not a loopback name; open the UI as http://127.0.0.1:<port>/` },
        403,
      );
    await next();
  };
}
