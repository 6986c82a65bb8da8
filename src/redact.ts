/**
 * The one redaction of a secret (a Proxmox API token's) from whatever a server sent: every string
 * in a parsed body, keys included, so a server that echoes the token (in a node name, a VM's
 * config, an error message) cannot carry it into output, errors, logs or the inventory.
 */

export const REDACTED = '***';

/** `text` with every occurrence of `secret` replaced; secrets shorter than 4 characters are not searched for. */
export function redactText(text: string, secret: string): string {
  return secret.length >= 4 && text.includes(secret) ? text.split(secret).join(REDACTED) : text;
}

/** A copy of a JSON value with `secret` redacted from every string in it, keys included. */
export function redactDeep(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return redactText(value, secret);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secret));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactText(k, secret)] = redactDeep(v, secret);
    return out;
  }
  return value;
}
