/** Exact host data: libvirt's QEMU capabilities cache, and QMP's static expansion of host. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveFeature } from '../src/catalog/index.js';
import { modelsForHost } from '../src/engine/runnable.js';
import { HostProfileSchema } from '../src/profile/host-profile.js';
import { QmpSession, expandCpuModel } from '../src/qemu/qmp.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';
import { haveQemu } from './helpers/qemu.js';

const capsDir = resolve(repoRoot, 'test/fixtures/libvirt-qemu-caps');
const caps72 = join(capsDir, 'libvirt-9.0-tests-caps_7.2.0.x86_64.xml');
const caps50 = join(capsDir, 'libvirt-9.0-tests-caps_5.0.0.x86_64.xml');
const tcgOnly = join(capsDir, 'debian12-qemu-7.2-tcg-only.xml');
const tmp = mkdtempSync(join(tmpdir(), 'migratable-exact-host-data-'));

const readOne = (path: string) => {
  const ps = readProfilesFromText(readFileSync(path, 'utf8'), path, 'h');
  expect(ps).toHaveLength(1);
  expect(HostProfileSchema.safeParse(ps[0]).success).toBe(true);
  return ps[0];
};

/** The boolean props libvirt recorded as true in <hostCPU type='kvm'>, read with a plain regex (not the reader). */
function trueKvmProps(xml: string): string[] {
  const host = /<hostCPU type='kvm'[^>]*>([\s\S]*?)<\/hostCPU>/.exec(xml)![1];
  return [...host.matchAll(/<property name='([^']+)' type='boolean' value='true'/g)].map((m) => m[1]);
}

describe("libvirt's QEMU capabilities cache", () => {
  it('QEMU 7.2 on AMD (libvirt test data): an exact profile with QEMU version, runnable models and blockers', () => {
    const xml = readFileSync(caps72, 'utf8');
    const p = readOne(caps72);
    expect([p.source, p.exact, p.vendor, p.family, p.model, p.stepping, p.qemu]).toEqual([
      'libvirt-qemu-caps',
      true,
      'AuthenticAMD',
      23,
      113,
      0,
      '7.2.0',
    ]);
    expect(p.modelName).toBe('AMD Ryzen 9 3900X 12-Core Processor');
    expect(p.microcode).toBe(`0x${(43100245).toString(16)}`);
    // every true property the catalog knows is a feature, and nothing else is
    const expected = new Set(trueKvmProps(xml).flatMap((n) => resolveFeature(n)?.name ?? []));
    expect(p.features).toEqual([...expected].sort());
    expect(p.features).toContain('invtsc');
    expect(p.notes!.join(' ')).toMatch(/only to non-migratable guests: invtsc/);
    expect(p.runnableModels).toContain('EPYC-Rome-v1');
    expect(p.runnableModels).not.toContain('EPYC-Milan-v1');
    expect(p.unavailable!['EPYC-Milan-v1']).toEqual(expect.arrayContaining(['pcid', 'erms']));
    // QEMU's own blockers and the catalog's view of this profile agree on every model
    const rows = modelsForHost(p);
    expect(rows.filter((r) => r.qemuSays).length).toBeGreaterThan(40);
    expect(rows.filter((r) => r.disagreement)).toEqual([]);
  });

  it('QEMU 5.0 on Intel (libvirt test data)', () => {
    const p = readOne(caps50);
    expect([p.vendor, p.family, p.model, p.qemu, p.modelName]).toEqual([
      'GenuineIntel',
      6,
      94,
      '5.0.0',
      'Intel(R) Xeon(R) CPU E3-1245 v5 @ 3.50GHz',
    ]);
    expect(p.features).toEqual(expect.arrayContaining(['vmx', 'avx2', 'lm', 'sse2']));
    expect(p.runnableModels).toContain('Skylake-Client-v1');
  });

  it('is detected from content, whatever the file name', () => {
    const copy = join(tmp, 'pve1');
    writeFileSync(copy, readFileSync(caps72));
    const r = cli(['profile', '--json', copy]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ name: 'pve1', source: 'libvirt-qemu-caps', exact: true });
  });

  it('a cache without KVM (recorded on this TCG-only machine) is refused with exit 2 and one line', () => {
    const r = cli(['baseline', tcgOnly]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(tcgOnly);
    expect(r.stderr).toMatch(/no <hostCPU type='kvm'>/);
  });

  it('entities are never resolved; another architecture is refused', () => {
    const evil = `<!DOCTYPE qemuCaps [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<qemuCaps><arch>x86_64</arch>&x;</qemuCaps>`;
    expect(() => readProfilesFromText(evil, 'evil.xml', 'x')).toThrowError(/DOCTYPE or ENTITY/);
    const arm = readFileSync(caps72, 'utf8').replace('<arch>x86_64</arch>', '<arch>aarch64</arch>');
    expect(() => readProfilesFromText(arm, 'arm.xml', 'x')).toThrowError(/architecture is aarch64/);
  });
});

describe.skipIf(!haveQemu)('QMP static expansion (model "base" with every property)', () => {
  it('reads into the same features as the full expansion of the same model (real QEMU, TCG max)', async () => {
    const s = await QmpSession.start({ accel: 'tcg' });
    try {
      const full = await expandCpuModel(s, 'full', { name: 'max' });
      const stat = await expandCpuModel(s, 'static', { name: 'max' });
      expect(stat.name).toBe('base');
      const read = (model: unknown) => readProfilesFromText(JSON.stringify({ return: { model } }), 'r.json', 'h')[0];
      const fromStatic = read(stat);
      expect(fromStatic.exact).toBe(true);
      expect(fromStatic.notes!.join(' ')).toMatch(/static expansion/);
      expect(fromStatic.features).toEqual(read(full).features);
    } finally {
      await s.close();
    }
  });
});
