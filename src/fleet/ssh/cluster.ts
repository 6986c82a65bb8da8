import { readFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { parseTarget, targetLabel, type SshTarget } from './targets.js';

/** A cluster member as the cluster itself lists it. */
export interface ClusterNode {
  name: string;
  /** Address to reach it on; null when the cluster does not know one (e.g. offline in .members) */
  address: string | null;
  /** From /etc/pve/.members; null when the source does not say (corosync.conf) */
  online: boolean | null;
}

export const PVE_MEMBERS_PATH = '/etc/pve/.members';
export const COROSYNC_CONF_PATH = '/etc/corosync/corosync.conf';

/**
 * Proxmox's /etc/pve/.members (JSON kept by pmxcfs):
 * `{"nodename":..,"version":..,"cluster":{..},"nodelist":{"pve1":{"id":1,"online":1,"ip":"10.0.0.1"}}}`.
 * A standalone node has no nodelist; that yields an empty list.
 */
export function parsePveMembers(text: string, where: string): ClusterNode[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(where, `not JSON as /etc/pve/.members should be (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new InputError(where, 'expected a JSON object with "nodelist"');
  const nodelist = (doc as Record<string, unknown>).nodelist;
  if (nodelist === undefined) return [];
  if (typeof nodelist !== 'object' || nodelist === null || Array.isArray(nodelist))
    throw new InputError(where, '"nodelist" must be an object of node name -> {id, online, ip}');
  return Object.entries(nodelist as Record<string, unknown>).map(([name, raw]) => {
    const info = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const ip = typeof info.ip === 'string' && info.ip ? info.ip : null;
    const online = info.online === undefined ? null : info.online === 1 || info.online === true;
    return { name, address: ip, online };
  });
}

/**
 * corosync.conf: nested `name { key: value }` blocks; members are `nodelist { node { name: ..
 * ring0_addr: .. } }`. Comments start with `#`. The address is ring0_addr (falling back to
 * the name, which corosync also resolves).
 */
export function parseCorosyncConf(text: string, where: string): ClusterNode[] {
  const stack: string[] = [];
  let pendingName = '';
  let current: Record<string, string> | null = null;
  const nodes: ClusterNode[] = [];
  // Put every brace on its own line so `quorum { provider: x }` reads like the multi-line form.
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, ''))
    .join('\n')
    .replace(/[{}]/g, (b) => `\n${b}\n`)
    .split('\n');
  lines.forEach((raw) => {
    const line = raw.trim();
    if (!line) return;
    if (line === '{') {
      stack.push(pendingName);
      pendingName = '';
      if (stack.join('/') === 'nodelist/node') current = {};
    } else if (line === '}') {
      if (!stack.length) throw new InputError(where, 'unbalanced "}" in corosync.conf');
      if (stack.join('/') === 'nodelist/node' && current) {
        const c: Record<string, string> = current;
        const address = c.ring0_addr ?? c.name ?? null;
        const name = c.name ?? c.ring0_addr;
        if (!name) throw new InputError(where, 'a nodelist node has neither "name" nor "ring0_addr"');
        nodes.push({ name, address, online: null });
        current = null;
      }
      stack.pop();
    } else if (line.includes(':')) {
      const colon = line.indexOf(':');
      const key = line.slice(0, colon).trim();
      const value = line
        .slice(colon + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (current) current[key] = value;
    } else {
      pendingName = line;
    }
  });
  if (stack.length) throw new InputError(where, `unclosed "${stack.at(-1)} {" block in corosync.conf`);
  return nodes;
}

export interface ClusterTargetOptions {
  /** Login user for every node (Proxmox nodes trust each other as root). */
  user?: string | null;
  /** Leave out nodes .members reports offline (they would only time out). */
  skipOffline?: boolean;
}

/** Cluster nodes -> scan targets, addressed by IP when known, else by node name. */
export function clusterTargets(nodes: ClusterNode[], where: string, options: ClusterTargetOptions = {}): SshTarget[] {
  const user = options.user ?? null;
  return nodes
    .filter((n) => !(options.skipOffline && n.online === false))
    .map((n) => {
      const parsed = parseTarget(n.address ?? n.name, `${where} (node ${JSON.stringify(n.name)})`);
      return { ...parsed, user, node: n.name, label: targetLabel(parsed.host, parsed.port, user) };
    });
}

export interface ReadClusterOptions extends ClusterTargetOptions {
  membersPath?: string;
  corosyncPath?: string;
}

/**
 * On a Proxmox node: the cluster's members as scan targets, from /etc/pve/.members (has live
 * IPs and online state), else from corosync.conf. InputError when neither lists any node.
 */
export function readClusterTargets(options: ReadClusterOptions = {}): SshTarget[] {
  const membersPath = options.membersPath ?? PVE_MEMBERS_PATH;
  const corosyncPath = options.corosyncPath ?? COROSYNC_CONF_PATH;
  const members = readIfPresent(membersPath);
  if (members !== null) {
    const nodes = parsePveMembers(members, membersPath);
    if (nodes.length) return clusterTargets(nodes, membersPath, options);
  }
  const corosync = readIfPresent(corosyncPath);
  if (corosync !== null) {
    const nodes = parseCorosyncConf(corosync, corosyncPath);
    if (nodes.length) return clusterTargets(nodes, corosyncPath, options);
  }
  throw new InputError(
    '--cluster',
    `no cluster members found: neither ${membersPath} nor ${corosyncPath} lists any node (not a Proxmox cluster node?)`,
  );
}

function readIfPresent(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(path, `cannot read: ${(e as Error).message}`);
  }
}
