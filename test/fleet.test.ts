import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInventory } from '../src/fleet/inventory/index.js';
import { driftSteps, parseSince } from '../src/fleet/inventory/drift.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { cli } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { createSshFixture, type SshFixture, sshCliArgs } from './helpers/sshd.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-fleet-'));
const broadwell = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');

describe('inventory and drift', () => {
  const db = join(tmp, 'drift.db');

  beforeAll(() => {
    const inv = openInventory(db);
    const before = readCpuinfo(broadwell, 'a', 'pve-intel1');
    // the same host after a microcode update that disabled TSX (TAA mitigation)
    const after = readCpuinfo(broadwell.replace(/ hle /, ' ').replace(/ rtm /, ' '), 'b', 'pve-intel1');
    const amd = readCpuinfo(
      readFileSync(join(repoRoot, 'examples/field-report-cluster/pve-amd1.cpuinfo'), 'utf8'),
      'c',
      'pve-amd1',
    );
    inv.add([
      { ...before, collectedAt: '2026-11-01T10:00:00.000Z' },
      { ...amd, collectedAt: '2026-11-01T10:00:00.000Z' },
    ]);
    inv.add([
      { ...after, collectedAt: '2026-11-20T10:00:00.000Z' },
      { ...amd, collectedAt: '2026-11-20T10:00:00.000Z' },
    ]);
    inv.close();
    writeFileSync(join(tmp, '200.conf'), 'cores: 2\ncpu: Broadwell\nmemory: 2048\nname: tsx-user\n');
    writeFileSync(join(tmp, '201.conf'), 'cores: 2\ncpu: Broadwell-noTSX-IBRS\nmemory: 2048\nname: fine\n');
  });

  it('keeps every snapshot and gives the latest per host', () => {
    const inv = openInventory(db, { readOnly: true });
    try {
      expect(inv.history()).toHaveLength(4);
      const latest = inv.latestProfiles();
      expect(latest.map((p) => p.name)).toEqual(['pve-amd1', 'pve-intel1']);
      expect(latest[1].features).not.toContain('rtm');
      const steps = driftSteps(inv.history());
      expect(steps).toEqual([
        {
          host: 'pve-intel1',
          from: '2026-11-01T10:00:00.000Z',
          to: '2026-11-20T10:00:00.000Z',
          added: [],
          removed: ['hle', 'rtm'],
        },
      ]);
    } finally {
      inv.close();
    }
  });

  it('drift reports the host that lost hle/rtm and names the VMs whose model needs them', () => {
    const r = cli(['drift', '--inventory', db, '--vm', join(tmp, '200.conf'), '--vm', join(tmp, '201.conf')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/pve-intel1 .* lost: hle rtm/);
    expect(r.stdout).toMatch(/200 \(tsx-user\) on pve-intel1: needs hle rtm/);
    expect(r.stdout).not.toMatch(/201/);
    expect(cli(['drift', '--inventory', db, '--since', '2026-11-25']).stdout).toMatch(/no host changed/);
    expect(cli(['drift', '--inventory', db, '--since', 'yesterday-ish']).code).toBe(2);
  });

  it('hosts lists the latest snapshots; a missing inventory is a clear error', () => {
    const r = cli(['hosts', '--inventory', db, '--json']);
    expect(JSON.parse(r.stdout).map((h: { host: string; snapshots: number }) => [h.host, h.snapshots])).toEqual([
      ['pve-amd1', 2],
      ['pve-intel1', 2],
    ]);
    const missing = cli(['hosts', '--inventory', join(tmp, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope.db: no inventory here/);
  });

  it('parses --since forms', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    expect(parseSince('7d', now)).toBe('2026-11-18T12:00:00.000Z');
    expect(parseSince('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('soon', now)).toBeNull();
  });
});

describe('scan over real sshd into the inventory, then baseline --inventory', () => {
  let fixture: SshFixture;
  const db = join(tmp, 'scan.db');
  const ports: number[] = [];

  beforeAll(async () => {
    fixture = createSshFixture();
    for (let i = 0; i < 3; i++) ports.push((await fixture.startServer()).port);
  });
  afterAll(async () => fixture?.close());

  it('stores one snapshot per reachable host and reports the unreachable one', async () => {
    const dead = ports[0] + 1 === ports[1] ? ports[2] + 1 : ports[0] + 1;
    const args = ['scan', '--inventory', db, ...sshCliArgs(fixture), '--timeout', '20', '--json'];
    const r = cli([...args, ...ports.map((p) => `127.0.0.1:${p}`), `127.0.0.1:${dead}`]);
    expect(r.code, r.stderr).toBe(1); // one host failed
    expect(r.stderr).toMatch(new RegExp(`127.0.0.1:${dead}: `));
    const profiles = JSON.parse(r.stdout);
    expect(profiles).toHaveLength(3);
    // one machine behind three ports answers with one hostname: the targets tell the hosts apart
    expect(profiles.map((p: { name: string }) => p.name).sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort());
    const inv = openInventory(db, { readOnly: true });
    try {
      expect(inv.history()).toHaveLength(3);
    } finally {
      inv.close();
    }
    const b = cli(['baseline', '--inventory', db, '--format', 'json']);
    expect(b.code, b.stderr).toBe(0);
    const result = JSON.parse(b.stdout);
    expect(result.features.length).toBeGreaterThan(10);
    expect(result.hosts.sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort());
  });
});

describe('baseline --format pve | apply', () => {
  it('dry-run shows a diff and writes nothing; apply changes only our section, keeps a backup', () => {
    const conf = join(tmp, 'cpu-models.conf');
    const original = readFileSync(join(repoRoot, 'test/fixtures/vms/cpu-models.conf'), 'utf8');
    writeFileSync(conf, original);
    const section = cli([
      'baseline',
      'examples/field-report-cluster',
      '--format',
      'pve',
      '--name',
      'fleet-mixed',
    ]).stdout;
    const dry = cli(['apply', '-', '--file', conf, '--dry-run'], section);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^\+cpu-model: fleet-mixed$/m);
    expect(dry.stdout).toMatch(/^\+\tflags .*-kvm_pv_unhalt/m);
    expect(readFileSync(conf, 'utf8')).toBe(original);
    const real = cli(['apply', '-', '--file', conf, '--vmid', '101'], section);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^qm set 101 --cpu custom-fleet-mixed$/m);
    const after = readFileSync(conf, 'utf8');
    expect(after.startsWith(original)).toBe(true); // every other section and comment byte for byte
    expect(after.slice(original.length)).toMatch(/^cpu-model: fleet-mixed\n\tflags /);
    expect(readFileSync(`${conf}.bak`, 'utf8')).toBe(original);
    const again = cli(['apply', '-', '--file', conf], section);
    expect(again.stderr).toMatch(/unchanged/);
    expect(readFileSync(conf, 'utf8')).toBe(after);
  });

  it('refuses a file it cannot parse, and leaves it alone', () => {
    const bad = join(tmp, 'broken.conf');
    writeFileSync(bad, 'cpu-model: a\n\tflags +aes\n\tflags +avx\n');
    const section = cli(['baseline', 'examples/field-report-cluster', '--format', 'pve']).stdout;
    const r = cli(['apply', '-', '--file', bad], section);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken.conf/);
    expect(readFileSync(bad, 'utf8')).toBe('cpu-model: a\n\tflags +aes\n\tflags +avx\n');
  });
});
