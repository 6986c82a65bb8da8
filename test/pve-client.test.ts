import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { normalizeFingerprint, PveApiError, PveClient, PveToken, resolvePveToken } from '../src/proxmox/api/index.js';
import { startPveReplay, type PveReplay } from './helpers/pve-replay.js';

const SECRET = '5f1e3c2a-9b7d-4e6f-8a1b-c0ffee123456';
const TOKEN_TEXT = `root@pam!migratable=${SECRET}`;
const token = PveToken.parse(TOKEN_TEXT, 'test');

/** Everything an error could leak through: message, stack, inspect, JSON. */
function leakText(e: unknown): string {
  return [String(e), (e as Error)?.stack ?? '', inspect(e, { depth: 5 }), JSON.stringify(e) ?? ''].join('\n');
}

describe.each(['8.4', '9.2'] as const)('PVE %s replay', (version) => {
  let srv: PveReplay;
  let client: PveClient;
  beforeAll(async () => {
    srv = await startPveReplay({ version, token: TOKEN_TEXT });
    client = new PveClient({ host: srv.host, port: srv.port, token, fingerprint: srv.fingerprint });
  });
  afterAll(() => srv.close());

  it('sends exactly the PVEAPIToken header', async () => {
    await client.listNodes();
    const last = srv.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'GET', path: '/nodes', authorization: `PVEAPIToken=${TOKEN_TEXT}` });
  });

  it('lists nodes and reads status and CPU models', async () => {
    const nodes = await client.listNodes();
    expect(nodes.map((n) => n.node)).toEqual(['pve1', 'pve2', 'pve3']);
    const st = (await client.nodeStatus('pve2')) as { cpuinfo: Record<string, unknown> };
    expect(st.cpuinfo.model).toBe('AMD EPYC 7502 32-Core Processor');
    expect(st.cpuinfo.flags).toMatch(/ sse4_2 .* avx2 /);
    expect('vendor' in st.cpuinfo).toBe(version === '9.2');
    const models = (await client.nodeCpuModels('pve1')) as Array<{ name: string; vendor: string }>;
    expect(models).toContainEqual(expect.objectContaining({ name: 'EPYC-Rome', vendor: 'AuthenticAMD' }));
  });

  it('fetchCluster collects everything', async () => {
    const before = srv.requests.length;
    const c = await client.fetchCluster();
    expect(c.pveVersion).toBe(version === '8.4' ? '8.4.14' : '9.2.1');
    expect(c.nodes.map((n) => [n.node, n.online, n.error])).toEqual([
      ['pve1', true, undefined],
      ['pve2', true, undefined],
      ['pve3', true, undefined],
    ]);
    expect((c.nodes[2].status as { cpuinfo: { model: string } }).cpuinfo.model).toBe(
      'Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz',
    );
    expect(Array.isArray(c.nodes[0].cpuModels)).toBe(true);
    if (version === '8.4') {
      expect(c.clusterCpuFlags).toBeNull();
    } else {
      const flags = c.clusterCpuFlags as Array<{ name: string; 'supported-on': string[] }>;
      expect(flags[0].name).toBe('nested-virt');
      expect(flags.find((f) => f.name === 'avx512f')!['supported-on']).toEqual(['pve3']);
      expect(flags.find((f) => f.name === 'sse4.2')!['supported-on']).toEqual(['pve1', 'pve2', 'pve3']);
    }
    const paths = srv.requests.slice(before).map((r) => r.path + r.query);
    expect(paths).toContain('/cluster/qemu/cpu-flags?accel=kvm');
    expect(paths).toContain('/nodes/pve3/capabilities/qemu/cpu');
  });
});

describe('PVE 8.4 endpoint gap', () => {
  it('answers /cluster/qemu/cpu-flags with 501 like PVE, which the client maps to null', async () => {
    const srv = await startPveReplay({ version: '8.4', token: TOKEN_TEXT });
    try {
      const client = new PveClient({ host: srv.host, port: srv.port, token, fingerprint: srv.fingerprint });
      const err = (await client.get('/cluster/qemu/cpu-flags').catch((e) => e)) as PveApiError;
      expect(err).toBeInstanceOf(PveApiError);
      expect(err.status).toBe(501);
      expect(err.message).toContain("Method 'GET /cluster/qemu/cpu-flags' not implemented");
      expect(await client.clusterCpuFlags()).toBeNull();
    } finally {
      await srv.close();
    }
  });
});

describe('errors and secrecy', () => {
  let srv: PveReplay;
  beforeAll(async () => {
    srv = await startPveReplay({
      version: '9.2',
      token: TOKEN_TEXT,
      overrides: {
        '/nodes/pve3/status': { status: 595, message: 'Connection refused' },
        '/cluster/qemu/cpu-flags': { status: 403, message: 'Permission check failed (/nodes, Sys.Audit)' },
      },
    });
  });
  afterAll(() => srv.close());

  it('401 with a wrong token: one line, no secret', async () => {
    const wrongSecret = 'deadbeef-0000-1111-2222-333344445555';
    const bad = PveToken.parse(`root@pam!migratable=${wrongSecret}`, 'test');
    const lines: string[] = [];
    const client = new PveClient({
      host: srv.host,
      port: srv.port,
      token: bad,
      fingerprint: srv.fingerprint,
      debug: (l) => lines.push(l),
    });
    const err = await client.listNodes().catch((e) => e);
    expect(err).toBeInstanceOf(PveApiError);
    expect(err).toMatchObject({ kind: 'auth', status: 401 });
    expect(err.message).toBe(
      `https://127.0.0.1:${srv.port}/api2/json/nodes: 401 authentication failed (authentication failure); check the API token (USER@REALM!TOKENID=SECRET)`,
    );
    expect(srv.requests.at(-1)!.authorization).toBe(`PVEAPIToken=root@pam!migratable=${wrongSecret}`); // it was sent...
    for (const text of [leakText(err), lines.join('\n'), inspect(client), inspect(bad), JSON.stringify({ bad })]) {
      expect(text).not.toContain(wrongSecret); // ...but never shown
    }
    expect(lines.join('\n')).toMatch(/GET .*\/nodes -> error after \d+ ms: 401/);
  });

  it('403 names the needed privilege', async () => {
    const client = new PveClient({ host: srv.host, port: srv.port, token, fingerprint: srv.fingerprint });
    const err = (await client.clusterCpuFlags().catch((e) => e)) as PveApiError;
    expect(err).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(err.message).toMatch(
      /403 permission denied \(Permission check failed \(\/nodes, Sys\.Audit\)\); the token needs Sys\.Audit/,
    );
  });

  it('fetchCluster keeps a node whose calls fail, with the reason', async () => {
    const client = new PveClient({ host: srv.host, port: srv.port, token, fingerprint: srv.fingerprint });
    await expect(client.fetchCluster()).rejects.toThrow(/403/); // cluster flags forbidden is fatal, not silently null
    const srv2 = await startPveReplay({
      version: '9.2',
      token: TOKEN_TEXT,
      overrides: { '/nodes/pve3/status': { status: 595, message: 'Connection refused' } },
    });
    try {
      const c2 = new PveClient({ host: srv2.host, port: srv2.port, token, fingerprint: srv2.fingerprint });
      const data = await c2.fetchCluster();
      expect(data.nodes[2]).toMatchObject({ node: 'pve3', status: null, cpuModels: null });
      expect(data.nodes[2].error).toMatch(/\/nodes\/pve3\/status: HTTP 595 \(Connection refused\)$/);
      expect(data.nodes[0].error).toBeUndefined();
    } finally {
      await srv2.close();
    }
  });

  it('the secret never appears in debug lines of successful calls', async () => {
    const lines: string[] = [];
    const client = new PveClient({
      host: srv.host,
      port: srv.port,
      token,
      fingerprint: srv.fingerprint,
      debug: (l) => lines.push(l),
    });
    await client.listNodes();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/api2\/json\/nodes -> 200 in \d+ ms$/);
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('network errors are one line naming the URL', async () => {
    const port = await freePort();
    const client = new PveClient({ host: '127.0.0.1', port, token });
    const err = await client.listNodes().catch((e) => e);
    expect(err).toMatchObject({ kind: 'network' });
    expect(err.message).toBe(`https://127.0.0.1:${port}/api2/json/nodes: cannot reach the server: ECONNREFUSED`);
    expect(leakText(err)).not.toContain(SECRET);
  });

  it('times out a server that does not answer', async () => {
    const slow = await startPveReplay({ version: '8.4', token: TOKEN_TEXT, delayMs: 2000 });
    try {
      const client = new PveClient({
        host: slow.host,
        port: slow.port,
        token,
        fingerprint: slow.fingerprint,
        requestTimeoutMs: 300,
      });
      const t0 = Date.now();
      const err = await client.listNodes().catch((e) => e);
      expect(err).toMatchObject({ kind: 'timeout' });
      expect(err.message).toMatch(/timed out after 300 ms$/);
      expect(Date.now() - t0).toBeLessThan(1500);
    } finally {
      await slow.close();
    }
  });
});

describe('TLS', () => {
  let srv: PveReplay;
  beforeAll(async () => {
    srv = await startPveReplay({ version: '8.4', token: TOKEN_TEXT });
  });
  afterAll(() => srv.close());

  it('accepts the pinned certificate, in any fingerprint spelling', async () => {
    for (const fp of [srv.fingerprint, srv.fingerprint.toLowerCase(), srv.fingerprint.replace(/:/g, '')]) {
      const client = new PveClient({ host: srv.host, port: srv.port, token, fingerprint: fp });
      expect((await client.listNodes()).length).toBe(3);
    }
  });

  it('rejects a wrong pin before sending the request', async () => {
    const wrong = srv.fingerprint.replace(/^../, srv.fingerprint.startsWith('00') ? '11' : '00');
    const before = srv.requests.length;
    const client = new PveClient({ host: srv.host, port: srv.port, token, fingerprint: wrong });
    const err = await client.listNodes().catch((e) => e);
    expect(err).toMatchObject({ kind: 'tls' });
    expect(err.message).toBe(
      `https://127.0.0.1:${srv.port}/api2/json/nodes: TLS certificate fingerprint mismatch: server sent ${srv.fingerprint}, expected ${wrong}`,
    );
    expect(srv.requests.length).toBe(before); // the token never reached the server
    expect(leakText(err)).not.toContain(SECRET);
  });

  it('rejects a self-signed certificate without a pin (system CAs) before sending the request', async () => {
    const before = srv.requests.length;
    const client = new PveClient({ host: srv.host, port: srv.port, token });
    const err = await client.listNodes().catch((e) => e);
    expect(err).toMatchObject({ kind: 'tls' });
    expect(err.message).toMatch(
      /TLS certificate not accepted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)[^)]*\); pin the node's certificate/,
    );
    expect(err.message).not.toContain('\n');
    expect(srv.requests.length).toBe(before);
  });

  it('accepts the certificate through an explicit CA (name checked against the IP SAN)', async () => {
    const client = new PveClient({ host: srv.host, port: srv.port, token, ca: srv.certPem });
    expect((await client.listNodes()).length).toBe(3);
  });

  it('normalizes fingerprints and rejects malformed ones', () => {
    expect(normalizeFingerprint('ab'.repeat(32))).toBe(Array(32).fill('AB').join(':'));
    expect(() => normalizeFingerprint('AB:CD')).toThrow(InputError);
    expect(() => new PveClient({ host: '127.0.0.1', token, fingerprint: 'sha1:00' })).toThrow(/SHA-256/);
  });
});

describe('tokens', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pve-token-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('parses, and accepts a pasted PVEAPIToken= header value', () => {
    const t = PveToken.parse(`PVEAPIToken=${TOKEN_TEXT}\n`, 'x');
    expect(t.id).toBe('root@pam!migratable');
    expect(t.authorizationHeader()).toBe(`PVEAPIToken=${TOKEN_TEXT}`);
    expect(String(t)).toBe('root@pam!migratable=***');
  });

  it('never echoes a malformed token', () => {
    const bad = `root@pam:${SECRET}`;
    const err = (() => {
      try {
        PveToken.parse(bad, '$MIGRATABLE_PVE_TOKEN');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.message).toMatch(/^\$MIGRATABLE_PVE_TOKEN: not a Proxmox API token/);
    expect(leakText(err)).not.toContain(SECRET);
  });

  it('resolves option, then file, then environment', async () => {
    const f = join(dir, 'token');
    await writeFile(f, `  user@pve!ci=${SECRET}\n`);
    const env = { MIGRATABLE_PVE_TOKEN: `env@pam!tk=${SECRET}` };
    expect((await resolvePveToken({ token: TOKEN_TEXT, tokenFile: f, env })).id).toBe('root@pam!migratable');
    expect((await resolvePveToken({ tokenFile: f, env })).id).toBe('user@pve!ci');
    expect((await resolvePveToken({ env })).id).toBe('env@pam!tk');
    await expect(resolvePveToken({ env: {} })).rejects.toThrow(/MIGRATABLE_PVE_TOKEN/);
    await expect(resolvePveToken({ tokenFile: join(dir, 'missing') })).rejects.toThrow(
      /missing: cannot read: no such file or directory/,
    );
    await expect(resolvePveToken({ tokenFile: '/dev/zero' })).rejects.toThrow(/binary data/);
  });
});

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}
