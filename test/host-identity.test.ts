/**
 * Finding 10: a scanned host names itself, so the inventory ties each snapshot to the address
 * scanned and the key the machine proved it holds (the SSH host key ssh verified, or the node
 * certificate the Proxmox API lists). A second machine claiming a stored name is stored apart, with
 * a warning, instead of silently becoming that host's latest snapshot.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { judgeIdentity } from '../src/fleet/inventory/identity.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { cliAsync } from './helpers/cli.js';
import { fixturesDir } from './helpers/paths.js';
import { startPveReplay, type PveReplay, pveApiArgs } from './helpers/pve-replay.js';
import { createSshFixture, type SshFixture, type SshServer, sshCliArgs } from './helpers/sshd.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-identity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const broadwell = readCpuinfo(
  readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8'),
  'x',
  'pve1',
);

const rows = (db: string) =>
  new Database(db, { readonly: true })
    .prepare('SELECT host, address, host_key FROM snapshots ORDER BY id')
    .all() as Array<{ host: string; address: string | null; host_key: string | null }>;

describe('judging identities', () => {
  const ssh = (address: string, fp: string | null) => ({ address, key: fp && `ssh-ed25519 SHA256:${fp}` });
  it.each([
    ['no identity stored yet', null, ssh('10.0.0.1', 'A'), 'same'],
    ['same key, another address (moved)', ssh('10.0.0.1', 'A'), ssh('10.0.0.2', 'A'), 'same'],
    ['same address, another key (reinstalled)', ssh('10.0.0.1', 'A'), ssh('10.0.0.1', 'B'), 'rekeyed'],
    ['another address and key', ssh('10.0.0.1', 'A'), ssh('10.0.0.9', 'B'), 'other'],
    ['key unknown, another address', ssh('10.0.0.1', null), ssh('10.0.0.9', 'B'), 'other'],
    ['key unknown, same address', ssh('10.0.0.1', 'A'), ssh('10.0.0.1', null), 'same'],
    [
      'an SSH key against a certificate: the address decides',
      ssh('pve1', 'A'),
      { address: 'pve1', key: 'tls AA' },
      'same',
    ],
  ])('%s', (_what, stored, seen, kind) => {
    expect(judgeIdentity(stored, seen).kind).toBe(kind);
  });
});

describe('the inventory keeps machines apart', () => {
  it('a second machine claiming a stored name is stored as name@address, with a warning', () => {
    const db = join(tmp, 'unit.db');
    const inv = openInventory(db);
    try {
      const a = { address: '10.0.0.1', key: 'ssh-ed25519 SHA256:AAAA' };
      const b = { address: '10.0.0.9', key: 'ssh-ed25519 SHA256:BBBB' };
      expect(inv.addScan([{ profile: broadwell, identity: a }]).warnings).toEqual([]);
      const second = inv.addScan([{ profile: broadwell, identity: b }]);
      expect(second.stored.map((p) => p.name)).toEqual(['pve1@10.0.0.9']);
      expect(second.warnings).toHaveLength(1);
      expect(second.warnings[0]).toMatch(/^pve1: two machines claim this name: 10\.0\.0\.9 .*10\.0\.0\.1/);
      expect(inv.addScan([{ profile: broadwell, identity: { ...a, address: '10.0.0.2' } }]).warnings).toEqual([]);
      expect(inv.latestProfiles().map((p) => p.name)).toEqual(['pve1', 'pve1@10.0.0.9']);
    } finally {
      inv.close();
    }
  });

  it('migrates a version 1 inventory when scan opens it; reading commands read it as it is', () => {
    const db = join(tmp, 'v1.db');
    const raw = new Database(db);
    raw.exec(
      'CREATE TABLE snapshots (id INTEGER PRIMARY KEY, host TEXT NOT NULL, collected_at TEXT NOT NULL, source TEXT NOT NULL, features TEXT NOT NULL, profile TEXT NOT NULL)',
    );
    raw
      .prepare('INSERT INTO snapshots (host, collected_at, source, features, profile) VALUES (?, ?, ?, ?, ?)')
      .run('pve1', '2024-01-01T00:00:00.000Z', broadwell.source, '', JSON.stringify(broadwell));
    raw.pragma('user_version = 1');
    raw.close();
    const ro = openInventory(db, { readOnly: true });
    expect(ro.latestProfiles().map((p) => p.name)).toEqual(['pve1']);
    ro.close();
    expect(new Database(db, { readonly: true }).pragma('user_version', { simple: true })).toBe(1);
    const inv = openInventory(db);
    // an old snapshot has no identity: the first scan with one adopts the name
    expect(inv.addScan([{ profile: broadwell, identity: { address: '10.0.0.1', key: null } }]).warnings).toEqual([]);
    inv.close();
    expect(new Database(db, { readonly: true }).pragma('user_version', { simple: true })).toBe(6);
    expect(rows(db)).toEqual([
      { host: 'pve1', address: null, host_key: null },
      { host: 'pve1', address: '10.0.0.1', host_key: null },
    ]);
  });
});

describe('scan over real sshd: two machines, one name', () => {
  let fixture: SshFixture;
  let a: SshServer;
  let b: SshServer;
  beforeAll(async () => {
    fixture = createSshFixture();
    [a, b] = await Promise.all([fixture.startServer(), fixture.startServer()]);
  }, 60_000);
  afterAll(() => fixture?.close());

  const scan = (server: SshServer, db: string) => {
    return cliAsync(['scan', `127.0.0.1:${server.port}`, ...sshCliArgs(fixture), '--inventory', db]);
  };
  /** What `ssh-keygen -l` prints for a known_hosts line's key: SHA256 of the key blob, unpadded base64. */
  const fingerprint = (server: SshServer) => {
    const [, type, blob] = server.knownHostsLine.split(' ');
    return `${type} SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
  };

  it("records the verified host key and address; the second machine's snapshot is kept apart, with a warning", async () => {
    const db = join(tmp, 'ssh.db');
    const first = await scan(a, db);
    expect(first.code, first.stderr).toBe(0);
    const second = await scan(b, db);
    expect(second.code, second.stderr).toBe(0);
    const warning = second.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toContain(
      `migratable: warning: ${hostname()}: two machines claim this name: 127.0.0.1:${b.port}`,
    );
    expect(rows(db)).toEqual([
      { host: hostname(), address: `127.0.0.1:${a.port}`, host_key: fingerprint(a) },
      { host: `${hostname()}@127.0.0.1:${b.port}`, address: `127.0.0.1:${b.port}`, host_key: fingerprint(b) },
    ]);
    const again = await scan(a, db);
    expect(again.stderr).not.toContain('warning');
    const inv = openInventory(db, { readOnly: true });
    try {
      expect(inv.hosts().map((h) => [h.host, h.snapshots])).toEqual([
        [hostname(), 2],
        [`${hostname()}@127.0.0.1:${b.port}`, 1],
      ]);
    } finally {
      inv.close();
    }
  }, 120_000);
});

describe('scan --pve: the node certificate is the identity', () => {
  const SECRET = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
  const TOKEN = `root@pam!id=${SECRET}`;
  const tokenFile = join(tmp, 'token');
  writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
  let one: PveReplay;
  let other: PveReplay;
  beforeAll(async () => {
    one = await startPveReplay({ version: '9.2', token: TOKEN });
    // another cluster whose nodes are also called pve1..pve3 (every default install is)
    other = await startPveReplay({
      version: '9.2',
      token: TOKEN,
      rewrite: (path, body) =>
        path === '/nodes' ? body.replace(/"ssl_fingerprint": *"[^"]*"/g, '"ssl_fingerprint": "00:11"') : body,
    });
  });
  afterAll(async () => {
    await one?.close();
    await other?.close();
  });
  const scan = (srv: PveReplay, db: string) => cliAsync(['scan', ...pveApiArgs(srv, tokenFile), '--inventory', db]);

  it('two clusters with the same node names stay apart', async () => {
    const db = join(tmp, 'pve.db');
    expect((await scan(one, db)).code).toBe(0);
    const r = await scan(other, db);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('two machines claim'))).toHaveLength(3);
    const hosts = rows(db).map((x) => x.host);
    expect(hosts).toContain(`pve1@127.0.0.1:${other.port}`);
    expect(rows(db)[0].host_key).toMatch(/^tls [0-9A-F:]{95}$/);
  }, 60_000);
});
