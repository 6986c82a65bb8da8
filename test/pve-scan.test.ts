import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInventory } from '../src/fleet/inventory/index.js';
import { startPveReplay, type PveReplay, pveApiArgs } from './helpers/pve-replay.js';
import { cliAsync } from './helpers/cli.js';

const SECRET = '5e3c9d2a-7f41-4b7e-9a0c-1d2e3f4a5b6c';
const TOKEN = `root@pam!migratable=${SECRET}`;
const tmp = mkdtempSync(join(tmpdir(), 'migratable-pve-scan-'));
const tokenFile = join(tmp, 'token');
writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });

/** `scan --pve` against the replay; `db: null` stores nothing, `fingerprint` pins another certificate. */
const scanArgs = (srv: PveReplay, db: string | null, more: string[] = [], fingerprint = srv.fingerprint) => [
  'scan',
  ...pveApiArgs(srv, tokenFile, fingerprint),
  ...(db === null ? ['--no-store'] : ['--inventory', db]),
  ...more,
];

describe.each(['8.4', '9.2'] as const)('scan --pve against a replay of Proxmox VE %s', (version) => {
  let srv: PveReplay;
  afterAll(async () => srv?.close());

  it('reads every node into the inventory without ever printing the token', async () => {
    srv = await startPveReplay({ version, token: TOKEN });
    const db = join(tmp, `pve-${version}.db`);
    const r = await cliAsync(scanArgs(srv, db, ['--json']));
    expect(r.code, r.stderr).toBe(0);
    const profiles = JSON.parse(r.stdout) as Array<{ name: string; exact: boolean; source: string; vendor: string }>;
    expect(profiles.map((p) => p.name).sort()).toEqual(['pve1', 'pve2', 'pve3']);
    // PVE 9.2's /cluster/qemu/cpu-flags is KVM's own answer; 8.4 only has Linux flag names
    for (const p of profiles) expect(p.exact, p.name).toBe(version === '9.2');
    expect(new Set(profiles.map((p) => p.vendor))).toEqual(new Set(['GenuineIntel', 'AuthenticAMD']));
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(srv.requests.every((q) => q.authorization === `PVEAPIToken=${TOKEN}`)).toBe(true);
    const inv = openInventory(db, { readOnly: true });
    try {
      expect(inv.latestProfiles()).toHaveLength(3);
    } finally {
      inv.close();
    }
  });

  it('refuses a server whose certificate does not match the pinned fingerprint', async () => {
    const wrong = srv.fingerprint.replace(/^../, srv.fingerprint.startsWith('00') ? '11' : '00');
    const r = await cliAsync(scanArgs(srv, null, [], wrong));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/fingerprint/i);
    expect(r.stderr).not.toContain(SECRET);
  });
});

describe('a server that echoes the token', () => {
  it('never gets the secret printed or stored, nor its escape sequences to the terminal', async () => {
    const srv = await startPveReplay({
      version: '9.2',
      token: TOKEN,
      // the secret and a terminal escape in a node's CPU model name
      rewrite: (path, body) =>
        path.endsWith('/status') ? body.replace(/"model"\s*:\s*"[^"]*"/, `"model": "Xeon ${SECRET} \\u001b[2J"`) : body,
    });
    try {
      const db = join(tmp, 'echo.db');
      const r = await cliAsync(scanArgs(srv, db));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(r.stdout).toContain('Xeon ***');
      expect(r.stdout + r.stderr).not.toContain('\u001b');
      const hosts = await cliAsync(['hosts', '--inventory', db, '--json']);
      expect(hosts.stdout).toContain('Xeon ***');
      expect(hosts.stdout).not.toContain(SECRET);
    } finally {
      await srv.close();
    }
  });
});
