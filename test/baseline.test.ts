import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { computeBaseline } from '../src/engine/baseline.js';
import { parseCpuString } from '../src/formats/qemu-cpu.js';
import { canonicalFeature, knownIn, resolveFeature, resolveModel } from '../src/catalog/index.js';
import { readProfileInputs } from '../src/sources/files.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { fixtureProfiles } from './helpers/fixtures.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { reportArgsCpu } from './fixtures/field-report.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { kvmOffer } from '../src/sources/kvm-offer.js';

const example = () => readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]);
const profiles = fixtureProfiles();
const byName = (n: string) => profiles.find((p) => p.name.startsWith(n))!;

/** What QEMU under KVM gives a guest for a -cpu string, by the catalog: base model + deltas. */
function guestOf(cpu: string): Set<string> {
  const p = parseCpuString(cpu);
  const set = new Set(resolveModel(p.model)!.kvmFeatures);
  for (const [f, on] of p.features) {
    if (on) set.add(f);
    else set.delete(f);
  }
  return set;
}

describe('baseline: the field report cluster (Xeon E5 v4 + EPYC Rome)', () => {
  const r = computeBaseline(example());

  it("keeps every flag of the report's args: line, switches kvm_pv_unhalt off, adds what the report missed", () => {
    const args = reportArgsCpu.split(',').slice(1);
    for (const a of args) expect(r.features, a).toContain(canonicalFeature(a.replace(/^\+/, '')));
    expect(r.minus).toContain('kvm-pv-unhalt');
    expect(r.cpu).toMatch(/,-kvm-pv-unhalt(,|$)/);
    expect(r.features).not.toContain('kvm-pv-unhalt');
    for (const extra of ['fsgsbase', 'pdpe1gb']) expect(r.features).toContain(extra);
  });

  it('uses a generic base across vendors, and explains why', () => {
    expect(['kvm64-v1', 'qemu64-v1']).toContain(r.base);
    expect(r.baseReason).toMatch(/vendor/);
    expect(r.vendors).toEqual(['AuthenticAMD', 'GenuineIntel']);
  });

  it('switches off every hypercall-based PV feature across vendors', () => {
    for (const f of ['kvm-pv-unhalt', 'kvm-pv-ipi', 'kvm-pv-sched-yield']) {
      expect(r.minus).toContain(f);
      expect(r.features).not.toContain(f);
    }
  });

  it('explains losses: Intel-only and AMD-only bits with the host lacking them, and excluded ones with a reason', () => {
    const lost = new Map(r.lost.map((l) => [l.feature, l]));
    expect(lost.get('sha-ni')!.missingOn).toEqual(['pve-intel1']);
    expect(lost.get('invpcid')!.missingOn).toEqual(['pve-amd1']);
    expect(lost.get('rtm')!.missingOn).toEqual(['pve-amd1']);
    expect(lost.get('invtsc')).toMatchObject({ missingOn: [], reason: 'blocks-migration' });
    expect(lost.get('kvm-pv-unhalt')).toMatchObject({ missingOn: [], reason: 'cross-vendor' });
  });

  it('ranks blockers and offers per-vendor alternatives that gain features', () => {
    expect(r.blockers.length).toBe(2);
    expect(r.blockers[0].wouldAdd.length).toBeGreaterThan(0);
    expect(r.alternatives.map((a) => a.vendor)).toEqual(['AuthenticAMD', 'GenuineIntel']);
    const intel = r.alternatives.find((a) => a.vendor === 'GenuineIntel')!;
    expect(intel.base).toMatch(/^Broadwell/);
    expect(intel.gains).toContain('invpcid');
    expect(intel.gains).toContain('kvm-pv-unhalt');
  });

  it('warns with stable codes, pins phys-bits to the smaller host', () => {
    const codes = r.warnings.map((w) => w.code);
    for (const c of [
      'cross-vendor',
      'kvm-pv-unhalt',
      'tsx',
      'invtsc',
      'approximate-profile',
      'phys-bits',
      'nested-virt',
    ])
      expect(codes).toContain(c);
    expect(r.physBits).toBe(43);
    expect(r.warnings.find((w) => w.code === 'cross-vendor')!.advice).toContain(
      'pti=on spectre_v2=retpoline,generic spec_store_bypass_disable=seccomp',
    );
  });

  it('base + deltas is exactly the promised set', () => {
    expect([...guestOf(r.cpu)].sort()).toEqual(r.features);
  });
});

describe('baseline: one vendor', () => {
  it('picks a named Intel model for Intel hosts and needs few deltas', () => {
    const r = computeBaseline([byName('Xeon-E5-2690-v4'), byName('Xeon-Gold-6132')]);
    expect(r.vendors).toEqual(['GenuineIntel']);
    expect(resolveModel(r.base)!.vendor).toBe('GenuineIntel');
    expect(r.base).toMatch(/^Broadwell/);
    expect(r.plus.length + r.minus.length).toBeLessThan(25);
    expect([...guestOf(r.cpu)].sort()).toEqual(r.features);
    expect(r.features).toContain('kvm-pv-unhalt'); // same vendor: PV spinlocks are fine
  });

  it('picks an EPYC model for AMD hosts', () => {
    const r = computeBaseline([byName('EPYC-9654'), byName('Ryzen-9-5950X')]);
    expect(resolveModel(r.base)!.vendor).toBe('AuthenticAMD');
    expect([...guestOf(r.cpu)].sort()).toEqual(r.features);
  });

  it('leaves TSX out unless allowed', () => {
    const hosts = [byName('Xeon-E5-2690-v4'), byName('Xeon-Gold-6132')];
    expect(computeBaseline(hosts).features).not.toContain('rtm');
    expect(computeBaseline(hosts, { allowTsx: true }).features).toContain('rtm');
  });

  it('filters to what the oldest QEMU knows', () => {
    const hosts = [byName('Xeon-6972P'), byName('Xeon-Platinum-8480')];
    const old = computeBaseline(hosts);
    expect(old.qemu).toBe('7.2');
    expect(old.warnings.map((w) => w.code)).toContain('qemu-version-unknown');
    for (const f of old.features) expect(knownIn(resolveFeature(f)!.qemu, '7.2'), f).toBe(true);
    const newer = computeBaseline(hosts, { qemu: '10.1' });
    for (const f of old.features) expect(newer.features).toContain(f);
    for (const f of newer.features) expect(knownIn(resolveFeature(f)!.qemu, '10.1'), f).toBe(true);
  });
});

describe('baseline safety (property): no emitted model contains a feature some host lacks', () => {
  // Each dump read as if from a random known kernel release (or an unknown one, or one between releases)
  const texts = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.cpuinfo'))
    .sort()
    .map((f) => [f, readFileSync(join(fixturesDir, f), 'utf8')] as const);
  const kernels = [null, ...kvmOffer.releases, '6.6.30-pve', '5.19.0-1'];
  const read = new Map<string, HostProfile>();
  const hostFor = (i: number, kernel: string | null) => {
    const key = `${i}|${kernel}`;
    if (!read.has(key))
      read.set(key, readCpuinfo(texts[i][1], texts[i][0], `${texts[i][0]}@${kernel ?? '?'}`, { kernel }));
    return read.get(key)!;
  };
  const hostSets = fc
    .subarray(
      texts.map((_, i) => i),
      { minLength: 1 },
    )
    .chain((idx) =>
      fc
        .array(fc.constantFrom(...kernels), { minLength: idx.length, maxLength: idx.length })
        .map((ks) => idx.map((i, n) => hostFor(i, ks[n]))),
    );

  it('holds for random subsets of the real fixtures with random kernel releases, with and without TSX', () => {
    fc.assert(
      fc.property(hostSets, fc.boolean(), (hosts: HostProfile[], allowTsx) => {
        const r = computeBaseline(hosts, { allowTsx });
        const guest = guestOf(r.cpu);
        expect([...guest].sort()).toEqual(r.features);
        for (const h of hosts) {
          const have = new Set(h.features);
          for (const f of guest) expect(have.has(f), `${f} on ${h.name}`).toBe(true);
        }
        for (const f of ['dca', 'extapic', 'ibs', 'perfctr-nb', 'tce', 'wdt', 'skinit', 'lwp'])
          expect(r.features).not.toContain(f);
        if (r.vendors.length > 1) expect(r.features).not.toContain('kvm-pv-unhalt');
        for (const l of r.lost) expect(r.features).not.toContain(l.feature);
      }),
      { numRuns: 150 },
    );
  });
});

describe('baseline: QEMU older than the catalog', () => {
  it('keeps the 7.2 names and warns instead of emptying the model', () => {
    const hosts = [byName('Xeon-E5-2690-v4'), byName('Xeon-Gold-6132')];
    const r = computeBaseline(hosts, { qemu: '4.1' });
    expect(r.qemu).toBe('7.2');
    expect(r.features).toEqual(computeBaseline(hosts).features);
    expect(r.warnings.find((w) => w.code === 'qemu-version')!.message).toMatch(/QEMU 4.1 is older than 7.2/);
  });
});

describe('baseline: suspicious host data', () => {
  it('says so when a profile lacks what every x86-64 CPU has (a cut-off cpuinfo dump)', () => {
    const truncated = byName('Xeon-E5504_nehalem');
    expect(truncated.notes!.join(' ')).toMatch(/malformed flag/);
    const r = computeBaseline([truncated, byName('Xeon-E5649_westmere')]);
    const w = r.warnings.find((x) => x.code === 'incomplete-profile')!;
    expect(w.message).toMatch(/Xeon-E5504_nehalem_hp-dl180/);
    expect(w.message).not.toMatch(/Xeon-E5649/);
    expect(computeBaseline([byName('Xeon-E5649_westmere')]).warnings.map((x) => x.code)).not.toContain(
      'incomplete-profile',
    );
  });
});

describe('cpuinfo bugs line', () => {
  it("a bug missing from an old kernel's line proves nothing; on a kernel that knows the bug it does", async () => {
    const { readCpuinfo } = await import('../src/sources/cpuinfo.js');
    const fx = byName('FX-8350_piledriver');
    expect(fx.features).not.toContain('amd-no-ssb'); // its 2017 kernel never heard of spec_store_bypass
    const text =
      'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 33\nflags\t\t: fpu sse sse2 lm syscall\nbugs\t\t: sysret_ss_attrs spectre_v1 spectre_v2\n';
    expect(readCpuinfo(text, 't', 't').features).not.toContain('amd-no-ssb');
    expect(readCpuinfo(text, 't', 't', { kernel: '6.1.0-56-amd64' }).features).toContain('amd-no-ssb');
    expect(
      readCpuinfo(text.replace('spectre_v2', 'spectre_v2 spec_store_bypass'), 't', 't', { kernel: '6.1.0' }).features,
    ).not.toContain('amd-no-ssb');
  });
});

describe('cpuinfo bits that depend on the host kernel or vendor', () => {
  it('flush-l1d only from Linux 6.4 on; ibrs_enhanced is IBRS_ALL on Intel only', async () => {
    const { readCpuinfo } = await import('../src/sources/cpuinfo.js');
    const spr = readFileSync(join(fixturesDir, 'Xeon-Platinum-8480+_sapphirerapids.cpuinfo'), 'utf8');
    expect(readCpuinfo(spr, 's', 's').features).not.toContain('flush-l1d');
    expect(readCpuinfo(spr, 's', 's', { kernel: '6.8.12-4-pve' }).features).toContain('flush-l1d');
    for (const f of ['EPYC-9654_genoa', 'Ryzen-9-9950X_zen5']) expect(byName(f).features, f).not.toContain('ibrs-all');
  });
});
