/**
 * QEMU 10.0 as the cluster's release: current Intel and AMD server pairs get a QEMU-verified model of
 * their generation as base, QEMU 10.0 itself reads the emitted -cpu back as promised, and clusters on
 * different QEMU releases are told what changed between them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allModels,
  knownIn,
  modelsKnownIn,
  qemuChangesBetween,
  resolveFeature,
  resolveModel,
} from '../src/catalog/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeBaseline } from '../src/engine/baseline.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { EMITTERS } from '../src/emitters/index.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { QmpSession } from '../src/qemu/qmp.js';
import { fixtureProfiles } from './helpers/fixtures.js';
import { repoRoot } from './helpers/paths.js';
import { expandCpuString, haveKvm, haveQemu10, qemu10Binary } from './helpers/qemu.js';

// Current servers on the kernel Proxmox VE 9 ships (6.14): for an unknown kernel KVM's offer is cut to
// what every release from 5.4 on offers, which has no AMX and so no SapphireRapids base
const profiles = fixtureProfiles('6.14');
const host = (n: string) => profiles.find((p) => p.name.startsWith(n))!;

const PAIRS = [
  { hosts: ['Xeon-Platinum-8480', 'Xeon-6972P'], base: /^(SapphireRapids|GraniteRapids)-v\d+$/ },
  { hosts: ['EPYC-9654', 'Ryzen-9-9950X'], base: /^EPYC-Genoa-v\d+$/ },
];

describe('catalog from two QEMU releases', () => {
  it('marks models newer than QEMU 10.0 unverified, never a base; 10.0 models verified with their first release', () => {
    for (const m of allModels().filter((x) => x.source === 'libvirt-cpu-map')) {
      expect(m.verified, m.name).toBe(false);
      expect(knownIn(m.qemu, '10.0'), m.name).toBe(false);
    }
    expect(resolveModel('EPYC-Turin-v1')).toMatchObject({ verified: false, qemu: '10.1' });
    expect(resolveModel('SapphireRapids-v1')).toMatchObject({ verified: true, qemu: '8.0', source: 'qemu-10.0' });
    expect(resolveModel('YongFeng-v2')).toMatchObject({ verified: true, qemu: '10.0', model: 91 });
    expect(modelsKnownIn('9.2').map((m) => m.name)).toContain('GraniteRapids-v2');
    expect(resolveFeature('kvm-asyncpf-vmexit')?.qemu).toBe('10.0');
  });

  it('cites a source for every release change, and lists none between equal releases', () => {
    const all = qemuChangesBetween('7.2', '99.0');
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const c of all) expect(c.source, c.id).toMatch(/QEMU|qemu-devel/);
    expect(qemuChangesBetween('10.0.2', '10.0.4')).toEqual([]);
    expect(qemuChangesBetween('7.2', '10.0').map((c) => c.id)).toEqual(['ht-cmp-legacy-tracked']);
  });
});

describe('QEMU 10.0: bases for current server pairs', () => {
  for (const pair of PAIRS)
    it(`${pair.hosts.join(' + ')} with --qemu 10.0 gets a QEMU-verified ${pair.base.source} base`, () => {
      const hosts = pair.hosts.map(host);
      const r = computeBaseline(hosts, { qemu: '10.0' });
      expect(r.base).toMatch(pair.base);
      expect(resolveModel(r.base)).toMatchObject({ verified: true, source: 'qemu-10.0' });
      for (const f of r.features) expect(knownIn(resolveFeature(f)!.qemu, '10.0'), f).toBe(true);
      // QEMU 7.2 has no such model: the same hosts get an older base there
      expect(computeBaseline(hosts, { qemu: '7.2' }).base).not.toMatch(pair.base);
    });
});

describe.skipIf(!haveQemu10)('QEMU 10.0 reads the -cpu emitted for those pairs as the promised model', () => {
  let tcg: QmpSession;
  let kvm: QmpSession | undefined;
  beforeAll(async () => {
    tcg = await QmpSession.start({ accel: 'tcg', binary: qemu10Binary! });
    if (haveKvm) kvm = await QmpSession.start({ accel: 'kvm', binary: qemu10Binary! });
  });
  afterAll(async () => {
    await tcg?.close();
    await kvm?.close();
  });

  const isKvmBit = (f: string) => resolveFeature(f)?.vendor === 'kvm';

  for (const pair of PAIRS) {
    const r = computeBaseline(pair.hosts.map(host), { qemu: '10.0' });
    const cpu = EMITTERS.qemu
      .emit(r)
      .trim()
      .replace(/^-cpu /, '');

    // TCG applies neither KVM's defaults nor the kvm-* leaf: compare with the base's neutral expansion + deltas
    it(`${pair.hosts.join(' + ')}: every name is known to QEMU 10.0 and the deltas land as promised (TCG)`, async () => {
      const base = resolveModel(r.base)!;
      const expected = [...new Set([...base.features, ...r.plus])]
        .filter((f) => !r.minus.includes(f) && !isKvmBit(f))
        .sort();
      expect(await expandCpuString(tcg, cpu)).toEqual(expected);
    });

    it.skipIf(!haveKvm)(`${pair.hosts.join(' + ')}: KVM expansion equals the promised features`, async () => {
      expect(await expandCpuString(kvm!, cpu)).toEqual(r.features);
    });
  }
});

describe('hosts on different QEMU releases', () => {
  const on = (p: HostProfile, qemu: string): HostProfile => ({ ...p, qemu });
  const skew = (hosts: HostProfile[]) => computeBaseline(hosts).warnings.find((w) => w.code === 'qemu-skew');

  it('lists the changes between the oldest and the newest release, and keeps to what the oldest knows', () => {
    const hosts = [on(host('EPYC-9654'), '7.2.22'), on(host('Ryzen-9-9950X'), '10.1.2')];
    const r = computeBaseline(hosts);
    expect(r.qemu).toBe('7.2.22');
    for (const f of r.features) expect(knownIn(resolveFeature(f)!.qemu, '7.2'), f).toBe(true);
    const w = skew(hosts)!;
    expect(w.message).toMatch(/hosts run QEMU 7\.2, 10\.1/);
    // 10.0's ht/cmp-legacy tracking, 10.1's AMD arch-capabilities and pdcm, each with its QEMU commit
    expect(w.message).toMatch(/10\.0: .*ht .*\[QEMU commits c6bd2dd63420/);
    expect(w.message).toMatch(/ARCH_CAPABILITIES.*\[QEMU commits d3a24134e3/);
    expect(w.message).toMatch(/pdcm.*\[QEMU commits e68ec29809/);
    // Of the names newer than 7.2 both hosts' KVM offers: succor is not one (KVM zeroes CPUID 0x80000007 EBX,
    // linux-6.14 arch/x86/kvm/cpuid.c:1667), the PV bit kvm-asyncpf-vmexit is
    expect(w.message).toMatch(/names QEMU 10\.1 knows and 7\.2 does not, left out of the model: .*kvm-asyncpf-vmexit/);
    expect(w.message).not.toMatch(/succor/);
    expect(w.advice).toMatch(/machine type QEMU 7\.2 has/);
  });

  it('names only what applies: no AMD-only change for Intel hosts, nothing after the newest release', () => {
    const intel = skew([on(host('Xeon-Platinum-8480'), '7.2.22'), on(host('Xeon-6972P'), '10.0.2')])!;
    expect(intel.message).toMatch(/ht /);
    expect(intel.message).not.toMatch(/ARCH_CAPABILITIES|pdcm/);
    expect(skew([on(host('EPYC-9654'), '10.0.2'), on(host('Ryzen-9-9950X'), '10.0.0')])).toBeUndefined();
  });
});

describe('names QEMU added after 7.2 in exact profiles', () => {
  // A real QEMU 7.2 QMP session (host expansion), replayed as QEMU 10.0 with a 10.0-only prop switched on
  const qmp = readFileSync(join(repoRoot, 'test/fixtures/virsh/epyc-nested.qmp-host-full.jsonl'), 'utf8');
  const as10 = (name: string) =>
    readProfilesFromText(
      qmp
        .replace(/"micro": 22, "minor": 2, "major": 7/g, '"micro": 2, "minor": 0, "major": 10')
        .replace('"cmov": true', '"cmov": true, "kvm-asyncpf-vmexit": true'),
      name,
      name,
    )[0];

  it('keeps kvm-asyncpf-vmexit for QEMU 10.0 hosts and leaves it out when a host runs 7.2', () => {
    const a = as10('pve1');
    expect(a.qemu).toBe('10.0.2');
    expect(a.features).toContain('kvm-asyncpf-vmexit');
    expect(computeBaseline([a, as10('pve2')]).features).toContain('kvm-asyncpf-vmexit');
    const mixed = computeBaseline([a, { ...as10('pve2'), qemu: '7.2.22' }]);
    expect(mixed.features).not.toContain('kvm-asyncpf-vmexit');
    expect(mixed.lost.find((l) => l.feature === 'kvm-asyncpf-vmexit')?.reason).toBe('qemu-version');
  });
});
