/**
 * Exact host data libvirt keeps (its QEMU capabilities cache, static expansions of host) and the
 * refusal of truncated or foreign host data.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveFeature } from '../src/catalog/index.js';
import { modelsForHost } from '../src/engine/runnable.js';
import { InputError } from '../src/errors.js';
import type { PveClusterData } from '../src/proxmox/api/client.js';
import { profilesFromPveCluster } from '../src/proxmox/api/profiles.js';
import { HostProfileSchema } from '../src/profile/host-profile.js';
import { QmpSession, expandCpuModel } from '../src/qemu/qmp.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { cli } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { haveQemu } from './helpers/qemu.js';

const capsDir = resolve(repoRoot, 'test/fixtures/libvirt-qemu-caps');
const caps72 = join(capsDir, 'libvirt-9.0-tests-caps_7.2.0.x86_64.xml');
const caps50 = join(capsDir, 'libvirt-9.0-tests-caps_5.0.0.x86_64.xml');
const tcgOnly = join(capsDir, 'debian12-qemu-7.2-tcg-only.xml');
const tmp = mkdtempSync(join(tmpdir(), 'migratable-host-inputs-'));

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

describe('truncated or foreign host data: exit 2, one line, nothing written', () => {
  const write = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  const refused = (args: string[]) => {
    const out = join(tmp, `out-${Math.random().toString(36).slice(2)}`);
    const r = cli([...args, '-o', out]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    return r.stderr;
  };

  const cut = 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 79\nflags\t\t: fpu vme de\n';
  const arm =
    'processor\t: 0\nBogoMIPS\t: 50.00\nflags\t\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\n' +
    'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n';

  it('a cpuinfo whose flags line is cut names what is missing; --allow-incomplete warns instead', () => {
    const f = write('cut.cpuinfo', cut);
    const err = refused(['baseline', f]);
    expect(err).toContain(f);
    expect(err).toMatch(/lacks lm, cmov, cx8, fxsr, mmx, syscall, sse, sse2 of the x86-64 baseline/);
    expect(err).toMatch(/--allow-incomplete/);
    const ok = cli(['baseline', f, '--allow-incomplete', '--format', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).warnings.map((w: { code: string }) => w.code)).toContain('incomplete-profile');
  });

  it('an ARM cpuinfo with a flags key is refused even with --allow-incomplete', () => {
    const f = write('arm.cpuinfo', arm);
    for (const extra of [[], ['--allow-incomplete']]) expect(refused(['baseline', f, ...extra])).toMatch(/ARM/);
  });

  it('a QMP reply with empty props is refused', () => {
    const f = write('empty-props.json', JSON.stringify({ return: { model: { name: 'host', props: {} } } }));
    expect(refused(['profile', f])).toMatch(/empty-props.json: host "empty-props" lacks every feature/);
  });

  it('the cut-off real Nehalem dump: refused by baseline, check and models --host; allowed with the flag', () => {
    const nehalem = join(fixturesDir, 'Xeon-E5504_nehalem_hp-dl180.cpuinfo');
    const westmere = join(fixturesDir, 'Xeon-E5649_westmere.cpuinfo');
    expect(refused(['baseline', nehalem, westmere])).toMatch(/lacks syscall/);
    expect(cli(['check', nehalem, '--vm', 'kvm64']).code).toBe(2);
    expect(cli(['models', '--host', nehalem]).code).toBe(2);
    const ok = cli(['baseline', nehalem, westmere, '--allow-incomplete', '--format', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    const w = JSON.parse(ok.stdout).warnings.find((x: { code: string }) => x.code === 'incomplete-profile');
    expect(w.message).toMatch(/Xeon-E5504_nehalem_hp-dl180/);
    expect(cli(['check', nehalem, '--vm', 'kvm64', '--allow-incomplete']).code).not.toBe(2);
  });

  it('refusals are InputErrors from the shared read path (the dashboard gets the same line)', () => {
    expect(() => readProfilesFromText(cut, 'pasted', 'p')).toThrowError(InputError);
    expect(readProfilesFromText(cut, 'pasted', 'p', { allowIncomplete: true })[0].features).toContain('fpu');
  });
});

describe('models --host --json', () => {
  it('entries carry name (versioned), aliases, runnable and missing, as models --json names them', () => {
    const r = cli(['models', '--host', caps72, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const all = new Map(
      (JSON.parse(cli(['models', '--json']).stdout) as Array<{ name: string; aliases: string[] }>).map((m) => [
        m.name,
        m,
      ]),
    );
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(['name', 'aliases', 'runnable', 'missing']));
      expect(row).not.toHaveProperty('model');
      expect(row.name).toMatch(/-v\d+$/);
      expect(row.aliases).toEqual(all.get(row.name as string)!.aliases);
      expect(row.runnable).toBe((row.missing as string[]).length === 0);
    }
    expect(rows.find((x) => x.name === 'EPYC-Rome-v1')).toMatchObject({ aliases: ['EPYC-Rome'], runnable: true });
  });
});

describe('Proxmox cluster scan with one unusable node status', () => {
  it('records that node as a problem and keeps the others', () => {
    const status = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/pve/8.4/nodes/pve1/status.json'), 'utf8'));
    const body = status.data ?? status;
    const cut = { ...body, cpuinfo: { ...body.cpuinfo, flags: 'fpu vme de' } };
    const r = profilesFromPveCluster(
      {
        nodes: [
          { node: 'pve1', status: body },
          { node: 'pve2', status: cut },
        ],
        clusterCpuFlags: null,
        pveVersion: '8.4.14',
      } as PveClusterData,
      'https://pve1:8006',
    );
    expect(r.profiles.map((p) => p.name)).toEqual(['pve1']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^pve2: https:\/\/pve1:8006\/nodes\/pve2\/status: host "pve2" lacks lm/);
  });
});
