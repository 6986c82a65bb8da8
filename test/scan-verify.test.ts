/**
 * scan --verify MODEL and verify --ssh HOST against real loopback sshd nodes, booting under TCG (as on a
 * machine without KVM): per-node verdicts, QEMU's own refusal, a node that cannot run the boot, an
 * unreachable node, the inventory rows with the model's content hash, and nothing left on the nodes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { modelHash } from '../src/fleet/inventory/verifications.js';
import { cli, cliAsync } from './helpers/cli.js';
import { createSshFixture, freePort, type SshFixture, sshCliArgs } from './helpers/sshd.js';
import { haveCpio, haveGuestKernel, haveQemu, haveQemu10, qemu10Binary } from './helpers/qemu.js';

const canBoot = haveQemu && haveGuestKernel && haveCpio;
const tmp = mkdtempSync(join(tmpdir(), 'migratable-scan-verify-'));
const db = join(tmp, 'inventory.db');
let fixture: SshFixture;
const port: Record<'plain' | 'qemu10' | 'nokernel' | 'dead', number> = { plain: 0, qemu10: 0, nokernel: 0, dead: 0 };
const label = (p: number) => `127.0.0.1:${p}`;

beforeAll(async () => {
  if (!canBoot) return;
  fixture = createSshFixture();
  port.plain = (await fixture.startServer()).port;
  // A node whose admin points MIGRATABLE_QEMU at another QEMU, and one without a usable guest kernel
  if (haveQemu10)
    port.qemu10 = (await fixture.startServer({ forceCommand: `env MIGRATABLE_QEMU=${qemu10Binary} sh -s` })).port;
  port.nokernel = (
    await fixture.startServer({ forceCommand: 'env MIGRATABLE_GUEST_KERNEL=/nonexistent/vmlinuz sh -s' })
  ).port;
  port.dead = await freePort();
});
afterAll(async () => {
  await fixture?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const sshArgs = () => sshCliArgs(fixture);

interface Row {
  host: string;
  target: string;
  outcome: string;
  detail: string;
  modelHash: string;
  modelCpu: string;
  accel: string | null;
  qemu: string | null;
}

describe.skipIf(!canBoot)('scan --verify over loopback sshd (TCG)', () => {
  it('gives each node its verdict and stores it with the model hash', { timeout: 400_000 }, async () => {
    const nodes = [port.plain, ...(port.qemu10 ? [port.qemu10] : []), port.nokernel, port.dead];
    const r = await cliAsync([
      'scan',
      ...sshArgs(),
      '--inventory',
      db,
      '--timeout',
      '30',
      '--verify',
      'Westmere',
      '--verify-accel',
      'tcg',
      '--verify-timeout',
      '150',
      '--json',
      ...nodes.map(label),
    ]);
    expect(r.code, r.stderr).toBe(1); // two nodes could not prove it
    const out = JSON.parse(r.stdout) as { profiles: unknown[]; verifications: Row[] };
    const by = new Map(out.verifications.map((v) => [v.target, v]));
    const ok = by.get(label(port.plain))!;
    expect(ok, JSON.stringify(out.verifications)).toMatchObject({ outcome: 'match', accel: 'tcg' });
    expect(ok.detail).toMatch(
      /^started and the guest saw exactly the promise: \d+ features \(firmware [\d.]+ s, kernel [\d.]+ s, init [\d.]+ s\)$/,
    );
    if (port.qemu10)
      expect(by.get(label(port.qemu10))).toMatchObject({ outcome: 'match', qemu: expect.stringMatching(/^10\.0\./) });
    expect(by.get(label(port.nokernel))).toMatchObject({
      outcome: 'unrun',
      detail: expect.stringMatching(/guest kernel \/nonexistent\/vmlinuz is missing/),
    });
    expect(by.get(label(port.dead))).toMatchObject({
      outcome: 'unreachable',
      detail: expect.stringMatching(/Connection refused/),
    });
    const hash = modelHash('Westmere,enforce');
    for (const v of out.verifications) expect(v).toMatchObject({ modelHash: hash, modelCpu: 'Westmere,enforce' });
    // the reachable nodes were profiled too; the verdicts sit under the same host names
    const inv = openInventory(db, { readOnly: true });
    try {
      const rows = inv.verifications();
      expect(rows.map((x) => x.target).sort()).toEqual(nodes.map(label).sort());
      const hosts = inv.hosts();
      // what kind of host each is, from its probe: the module serving /dev/kvm there (none without one)
      const plain = hosts.find((h) => h.host === label(port.plain))!;
      expect(typeof plain.virtual).toBe('boolean');
      expect(plain.kvmModule === null || /^kvm_/.test(plain.kvmModule)).toBe(true);
      expect(hosts.find((h) => h.host === label(port.plain))?.verified).toMatchObject({
        outcome: 'match',
        modelHash: hash,
      });
    } finally {
      inv.close();
    }
  });

  it(
    "a model TCG cannot run is refused with QEMU's own words; `hosts` shows the newest verdict",
    { timeout: 200_000 },
    async () => {
      const r = await cliAsync([
        'scan',
        ...sshArgs(),
        '--inventory',
        db,
        '--verify',
        'Westmere,+avx512f',
        '--verify-accel',
        'tcg',
        label(port.plain),
      ]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(
        /REFUSED .*QEMU refused it: qemu-system-x86_64: warning: TCG doesn't support requested feature: CPUID\.07H:EBX\.avx512f \[bit 16\]/,
      );
      expect(r.stdout).toMatch(/0 of 1 node\(s\) started it and saw the promise/);
      // one target alone is named by its hostname, as scan names hosts
      const name = JSON.parse(cli(['scan', ...sshArgs(), '--no-store', '--json', label(port.plain)]).stdout)[0].name;
      const h = cli(['hosts', '--inventory', db]);
      expect(h.code, h.stderr).toBe(0);
      const hash12 = modelHash('Westmere,+avx512f,enforce').slice(0, 12);
      expect(h.stdout.split('\n').find((l) => l.startsWith(`${name} `))).toMatch(new RegExp(`refused ${hash12} `));
      const json = JSON.parse(cli(['hosts', '--inventory', db, '--json']).stdout);
      expect(json.find((x: { host: string }) => x.host === name).verified).toMatchObject({
        outcome: 'refused',
        detail: expect.stringMatching(/^QEMU refused it: .*avx512f/),
      });
    },
  );

  it('verify --ssh boots on that node and leaves nothing there', { timeout: 200_000 }, async () => {
    const r = await cliAsync([
      'verify',
      '--ssh',
      label(port.plain),
      ...sshArgs(),
      '--accel',
      'tcg',
      '--timeout',
      '150',
      '--json',
      'Westmere',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe('match');
    expect(report.phases.map((p: { name: string }) => p.name)).toEqual(['firmware', 'kernel', 'init']);
    const initrd = report.qemuArgv[report.qemuArgv.indexOf('-initrd') + 1] as string;
    expect(initrd).toMatch(/migratable-verify\.[^/]+\/initrd\.gz$/);
    expect(existsSync(initrd.replace(/\/initrd\.gz$/, ''))).toBe(false);
  });

  it('bad input is refused before any node is contacted', () => {
    const r = cli(['scan', ...sshArgs(), '--inventory', db, '--verify', 'NoSuch$Model', label(port.plain)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MODEL/);
    const pve = cli(['scan', '--pve', 'https://127.0.0.1:1', '--token', 'x@pam!t=y', '--verify', 'Westmere']);
    expect(pve.code).toBe(2);
    expect(pve.stderr).toMatch(/--verify: needs SSH targets/);
  });
});

describe('the inventory migration step for verifications', () => {
  it('brings a version-1 inventory up to date on the next scan and reads it before that', async () => {
    const { default: Database } = await import('better-sqlite3');
    const old = join(tmp, 'v1.db');
    const raw = new Database(old);
    raw.exec(
      'CREATE TABLE snapshots (id INTEGER PRIMARY KEY, host TEXT NOT NULL, collected_at TEXT NOT NULL, source TEXT NOT NULL, features TEXT NOT NULL, profile TEXT NOT NULL)',
    );
    raw.pragma('user_version = 1');
    raw.close();
    const ro = openInventory(old, { readOnly: true });
    expect(ro.verifications()).toEqual([]);
    expect(ro.hosts()).toEqual([]);
    ro.close();
    const rw = openInventory(old);
    rw.addVerifications([
      {
        host: 'pve1',
        target: 'root@pve1',
        verifiedAt: '2026-01-01T00:00:00.000Z',
        modelHash: modelHash('kvm64,enforce'),
        modelCpu: 'kvm64,enforce',
        modelName: null,
        outcome: 'match',
        accel: 'kvm',
        qemu: '9.2.0',
        detail: 'started',
        report: {},
      },
    ]);
    rw.close();
    const check = new Database(old, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(6);
    check.close();
    const again = openInventory(old, { readOnly: true });
    expect(again.verifications()).toHaveLength(1);
    again.close();
  });
});
