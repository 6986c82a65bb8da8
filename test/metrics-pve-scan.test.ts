/**
 * scan --pve records its run for the metrics: the nodes the API profiled with the call's duration,
 * and a node whose status failed (Proxmox's 595 for an unreachable node) as a failure named like the
 * node. Against the Proxmox VE 8.4 replay.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { cliAsync } from './helpers/cli.js';
import { startPveReplay, type PveReplay, pveApiArgs } from './helpers/pve-replay.js';

const TOKEN = 'root@pam!migratable=0b6f3c1e-2d4a-4e8b-9c7d-5f1a2b3c4d5e';
const tmp = mkdtempSync(join(tmpdir(), 'migratable-metrics-pve-'));
let srv: PveReplay | undefined;
afterAll(async () => {
  await srv?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('scan --pve with a node down', () => {
  it('stores the run: two nodes with their duration, pve3 as a failure; metrics show both', async () => {
    srv = await startPveReplay({
      version: '8.4',
      token: TOKEN,
      overrides: { '/nodes/pve3/status': { status: 595, message: 'Connection refused' } },
    });
    const tokenFile = join(tmp, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const db = join(tmp, 'inventory.db');
    const scan = await cliAsync(['scan', ...pveApiArgs(srv, tokenFile), '--inventory', db]);
    expect(scan.code).toBe(1);
    expect(scan.stderr).toMatch(/scan failed: pve3: /);
    const inv = openInventory(db, { readOnly: true });
    try {
      expect(inv.lastScanRun()).toMatchObject({ hostsOk: 2, hostsFailed: 1 });
      const stats = inv.hostScanStats();
      expect(stats.find((s) => s.host === 'pve3')).toMatchObject({ failures: 1, lastSeconds: null });
      expect(stats.find((s) => s.host === 'pve1')!.lastSeconds).toBeGreaterThan(0);
    } finally {
      inv.close();
    }
    const metrics = await cliAsync(['metrics', '--inventory', db]);
    expect(metrics.code, metrics.stderr).toBe(0);
    expect(metrics.stdout).toContain('migratable_host_scans_total{host="pve3",result="failure"} 1\n');
    expect(metrics.stdout).toContain('migratable_host_scans_total{host="pve1",result="success"} 1\n');
    expect(metrics.stdout).toMatch(/^migratable_host_last_scan_duration_seconds\{host="pve2"\} \d/m);
    expect(metrics.stdout).not.toContain(TOKEN.split('=')[1]);
  });
});
