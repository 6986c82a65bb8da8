/**
 * Read-only Proxmox VE API client for what migratable needs: nodes, their CPU info, the CPU
 * models each node offers and (PVE >= 9.2) the cluster-wide per-flag support matrix.
 * Returns the raw `data` of each response; readers elsewhere turn them into HostProfiles.
 */
import { InputError } from '../../errors.js';
import { apiBase, pveGet, PveApiError, type HttpTarget } from './http.js';
import { normalizeFingerprint } from './tls.js';
import type { PveToken } from './token.js';

export interface PveClientOptions {
  /** Node name or address; any cluster node answers for the whole cluster */
  host: string;
  port?: number;
  token: PveToken;
  /** SHA-256 of the node certificate (`AA:BB:...`); when set, only that certificate is accepted */
  fingerprint?: string;
  /** CA certificate(s), PEM, to trust instead of the system store */
  ca?: string | Buffer;
  /** TCP + TLS handshake (default 10 s) */
  connectTimeoutMs?: number;
  /** Whole request (default 30 s) */
  requestTimeoutMs?: number;
  /** Receives one redacted line per request */
  debug?: (line: string) => void;
}

/** One entry of GET /nodes (more keys exist; see notes §5). */
export interface PveNodeListEntry {
  node: string;
  status?: string;
  [key: string]: unknown;
}

export interface PveClusterNode {
  node: string;
  online: boolean;
  /** data of GET /nodes/{node}/status, null when it could not be read */
  status: unknown;
  /** data of GET /nodes/{node}/capabilities/qemu/cpu, null when it could not be read */
  cpuModels: unknown;
  /** Why status/cpuModels are null (node offline, permission, ...) */
  error?: string;
  /** SHA-256 fingerprint of the node's own certificate, as GET /nodes lists it (`ssl_fingerprint`): its identity */
  sslFingerprint?: string;
}

export interface PveClusterData {
  nodes: PveClusterNode[];
  /** data of GET /cluster/qemu/cpu-flags?accel=kvm; null before PVE 9.2 */
  clusterCpuFlags: unknown;
  /** `version` of GET /version on the node we talked to, e.g. "8.4.14" */
  pveVersion: string | null;
}

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]+)$/;

export class PveClient {
  readonly #target: HttpTarget;

  constructor(opts: PveClientOptions) {
    if (!HOST_RE.test(opts.host))
      throw new InputError('host', `${JSON.stringify(opts.host)} is not a host name or address`);
    const port = opts.port ?? 8006;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError('port', `${port} is not a TCP port`);
    this.#target = {
      host: opts.host,
      port,
      token: opts.token,
      fingerprint: opts.fingerprint === undefined ? undefined : normalizeFingerprint(opts.fingerprint),
      ca: opts.ca,
      timeoutMs: opts.connectTimeoutMs ?? 10_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
      maxBodyBytes: 32 * 1024 * 1024,
      debug: opts.debug,
    };
  }

  /** `data` of a GET; throws PveApiError on any non-2xx status. */
  async get(path: string): Promise<unknown> {
    const res = await pveGet(this.#target, path);
    const body = res.body as { data?: unknown } | null;
    if (body === null || typeof body !== 'object' || !('data' in body)) {
      throw new PveApiError('bad-response', this.url(path), 'response has no "data" member');
    }
    return body.data;
  }

  url(path: string): string {
    return apiBase(this.#target.host, this.#target.port) + path;
  }

  async listNodes(): Promise<PveNodeListEntry[]> {
    const data = await this.get('/nodes');
    if (!Array.isArray(data) || !data.every((n) => n && typeof n === 'object' && typeof n.node === 'string')) {
      throw new PveApiError('bad-response', this.url('/nodes'), 'expected a list of {node: string, ...}');
    }
    return data as PveNodeListEntry[];
  }

  nodeStatus(node: string): Promise<unknown> {
    return this.get(`/nodes/${encodeURIComponent(node)}/status`);
  }

  nodeCpuModels(node: string): Promise<unknown> {
    return this.get(`/nodes/${encodeURIComponent(node)}/capabilities/qemu/cpu`);
  }

  /** null when the server does not have the endpoint (PVE < 9.2 answers 501, proxies may say 404). */
  async clusterCpuFlags(): Promise<unknown> {
    try {
      return await this.get('/cluster/qemu/cpu-flags?accel=kvm');
    } catch (e) {
      if (e instanceof PveApiError && (e.status === 501 || e.status === 404)) return null;
      throw e;
    }
  }

  async version(): Promise<string | null> {
    const data = (await this.get('/version')) as { version?: unknown } | null;
    return typeof data?.version === 'string' ? data.version : null;
  }

  /**
   * Everything about the cluster in one go. A node that is offline or whose own calls fail is
   * kept with `error` set rather than dropped: a baseline that silently skips a host is wrong,
   * so the caller decides. Cluster-level failures (auth, TLS, /nodes, /version, a 403 on
   * cpu-flags) throw.
   */
  async fetchCluster(): Promise<PveClusterData> {
    const list = (await this.listNodes()).sort((a, b) => a.node.localeCompare(b.node));
    const [pveVersion, clusterCpuFlags] = await Promise.all([this.version(), this.clusterCpuFlags()]);
    const nodes: PveClusterNode[] = [];
    for (const n of list) {
      const online = n.status === undefined || n.status === 'online';
      const sslFingerprint = typeof n.ssl_fingerprint === 'string' ? n.ssl_fingerprint : undefined;
      if (!online) {
        nodes.push({
          node: n.node,
          online,
          status: null,
          cpuModels: null,
          error: `node is ${String(n.status)}`,
          sslFingerprint,
        });
        continue;
      }
      try {
        const [status, cpuModels] = await Promise.all([this.nodeStatus(n.node), this.nodeCpuModels(n.node)]);
        nodes.push({ node: n.node, online, status, cpuModels, sslFingerprint });
      } catch (e) {
        if (!(e instanceof PveApiError) || e.kind === 'auth' || e.kind === 'tls') throw e;
        nodes.push({ node: n.node, online, status: null, cpuModels: null, error: e.message, sslFingerprint });
      }
    }
    return { nodes, clusterCpuFlags, pveVersion };
  }
}
