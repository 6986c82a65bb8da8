import { InputError } from '../../errors.js';

/** One host to scan. `host` may be a name, an IPv4 or a bare IPv6 address (no brackets). */
export interface SshTarget {
  host: string;
  port: number | null;
  user: string | null;
  /** Cluster node name when the target came from cluster membership */
  node?: string;
  /** How the target is shown in reports: `[user@]host[:port]`, IPv6 bracketed when a port follows */
  label: string;
}

// Host names, IPv4, and (only between brackets or as a bare multi-colon address) IPv6 with an
// optional %zone. Deliberately narrow: anything else is refused rather than handed to ssh.
const HOST_CHARS = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;
const USER_CHARS = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Parses `[user@]host[:port]`, `[user@][v6addr]:port`, or a bare IPv6 address. Refuses
 * anything ssh could read as an option (leading `-`) or that holds whitespace/control
 * characters, with an InputError naming `where`.
 */
export function parseTarget(spec: string, where = 'target'): SshTarget {
  const bad = (why: string) => new InputError(where, `bad target ${JSON.stringify(spec)}: ${why}`);
  if (!spec) throw bad('empty');
  if (spec.startsWith('-')) throw bad('must not start with "-"');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(spec)) throw bad('must not contain whitespace or control characters');
  if (spec.length > 300) throw bad('too long');

  let rest = spec;
  let user: string | null = null;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER_CHARS.test(user))
      throw bad('user name may only hold letters, digits, ".", "_", "-" and not start with "-" or "."');
  }

  let host: string;
  let portText: string | null = null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw bad('missing "]" after IPv6 address');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after) {
      if (!after.startsWith(':')) throw bad('expected ":port" after "]"');
      portText = after.slice(1);
    }
    if (!IPV6_CHARS.test(host) || !host.includes(':')) throw bad('not an IPv6 address between the brackets');
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    host = rest; // bare IPv6, no port possible
    if (!IPV6_CHARS.test(host)) throw bad('not a valid IPv6 address (put it in brackets to add a port: [addr]:port)');
  } else {
    const colon = rest.indexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) portText = rest.slice(colon + 1);
    if (!HOST_CHARS.test(host)) throw bad('host may only hold letters, digits, ".", "_", "-"');
  }
  if (!host) throw bad('no host');

  let port: number | null = null;
  if (portText !== null) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
      throw bad('port must be a number from 1 to 65535');
    port = Number(portText);
  }
  return { host, port, user, label: targetLabel(host, port, user) };
}

/** `[user@]host[:port]`, bracketing IPv6 addresses when a port follows. */
export function targetLabel(host: string, port: number | null, user: string | null): string {
  const h = port !== null && host.includes(':') ? `[${host}]` : host;
  return `${user ? `${user}@` : ''}${h}${port !== null ? `:${port}` : ''}`;
}

/**
 * Targets from a file: one per line, `#` starts a comment, blank lines skipped. Errors name
 * the line (`file:12`). A target listed twice is scanned once.
 */
export function parseTargetsFile(text: string, where: string): SshTarget[] {
  const seen = new Set<string>();
  const targets: SshTarget[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const target = parseTarget(line, `${where}:${i + 1}`);
    if (seen.has(target.label)) return;
    seen.add(target.label);
    targets.push(target);
  });
  return targets;
}
