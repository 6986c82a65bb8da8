/**
 * Proxmox API tokens (`USER@REALM!TOKENID=SECRET`, notes §5.8). The secret lives in a private
 * field so logging, JSON.stringify or util.inspect of a token never shows it.
 */
import { readBounded } from '../../sources/bounded-read.js';
import { inspect } from 'node:util';
import { InputError } from '../../errors.js';
import { redactDeep, redactText } from '../../redact.js';

export const PVE_TOKEN_ENV = 'MIGRATABLE_PVE_TOKEN';
const FORMAT_HINT = 'expected USER@REALM!TOKENID=SECRET, e.g. root@pam!migratable=aaaaaaaa-bbbb-...';
// userid per pve-common (name without whitespace, ':' or '/'; realm id), token id per pve-tokenid.
const TOKEN_RE = /^([^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+)!([A-Za-z][A-Za-z0-9.\-_]+)=(\S+)$/;

export class PveToken {
  readonly #secret: string;
  private constructor(
    /** e.g. `root@pam` */
    readonly userid: string,
    readonly tokenId: string,
    secret: string,
  ) {
    this.#secret = secret;
  }

  /** Parse a token; the input is never echoed in errors because it contains the secret. */
  static parse(text: string, where: string): PveToken {
    const s = text.trim().replace(/^PVEAPIToken=/, '');
    const m = TOKEN_RE.exec(s);
    if (!m) throw new InputError(where, `not a Proxmox API token (${FORMAT_HINT})`);
    return new PveToken(m[1], m[2], m[3]);
  }

  /** `USER@REALM!TOKENID`, safe to show. */
  get id(): string {
    return `${this.userid}!${this.tokenId}`;
  }

  /** The exact Authorization header value. Never log it. */
  authorizationHeader(): string {
    return `PVEAPIToken=${this.id}=${this.#secret}`;
  }

  /** Replace every occurrence of the secret in `text`. */
  redact(text: string): string {
    return redactText(text, this.#secret);
  }

  /** A parsed body with the secret replaced in every string (src/redact.ts). */
  redactValue(value: unknown): unknown {
    return redactDeep(value, this.#secret);
  }

  toString(): string {
    return `${this.id}=***`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return `PveToken(${this.toString()})`;
  }
}

export interface TokenSource {
  /** The token itself (takes precedence) */
  token?: string;
  /** A file whose (trimmed) content is the token */
  tokenFile?: string;
  /** Defaults to process.env; MIGRATABLE_PVE_TOKEN is read from it */
  env?: NodeJS.ProcessEnv;
}

/** Option, then token file, then $MIGRATABLE_PVE_TOKEN. */
export async function resolvePveToken(src: TokenSource): Promise<PveToken> {
  if (src.token !== undefined) return PveToken.parse(src.token, 'token');
  if (src.tokenFile !== undefined) {
    // bounded: a token file may be a FIFO or <(pass show ...), and is never more than a line
    const text = readBounded(src.tokenFile, src.tokenFile, { maxBytes: 64 * 1024, timeoutMs: 10_000 });
    return PveToken.parse(text, src.tokenFile);
  }
  const fromEnv = (src.env ?? process.env)[PVE_TOKEN_ENV];
  if (fromEnv) return PveToken.parse(fromEnv, `$${PVE_TOKEN_ENV}`);
  throw new InputError(
    'token',
    `no Proxmox API token: pass one, a token file, or set $${PVE_TOKEN_ENV} (${FORMAT_HINT})`,
  );
}
