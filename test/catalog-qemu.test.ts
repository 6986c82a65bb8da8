import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { allModels, featuresKnownIn, knownIn, resolveFeature, resolveModel } from '../src/catalog/index.js';
import qemuCpuData from '../data/qemu-cpu.json' with { type: 'json' };
import { defaultPhysBits } from '../catalog-src/qemu-snapshot.js';
import { QmpSession, enabledProps, expandCpuModel, queryCpuDefinitions } from '../src/qemu/qmp.js';
import type { Model } from '../src/catalog/types.js';
import { cli } from './helpers/cli.js';
import { haveKvm, qemuOracles } from './helpers/qemu.js';

const NON_MODELS = ['host', 'max', 'base'];

/**
 * The catalog must say exactly what each QEMU says (the installed 7.2 and 10.0): names, aliases and every
 * model's static expansion; a model that release has is QEMU-verified, whichever snapshot it came from.
 */
describe.each(qemuOracles)('catalog against $label ($binary)', ({ binary: qemuBinary }) => {
  let tcg: QmpSession;
  let version: string;
  beforeAll(async () => {
    tcg = await QmpSession.start({ accel: 'tcg', binary: qemuBinary });
    const v = await tcg.execute<{ qemu: { major: number; minor: number } }>('query-version');
    version = `${v.qemu.major}.${v.qemu.minor}`;
  });
  afterAll(async () => tcg?.close());

  const ourModels = () => allModels().filter((m) => m.source.startsWith('qemu-') && knownIn(m.qemu, version));

  it('knows every CPUID flag QEMU recognizes, by its canonical name', () => {
    const out = spawnSync(qemuBinary!, ['-cpu', 'help'], { encoding: 'utf8' }).stdout;
    const flags = out
      .slice(out.indexOf('Recognized CPUID flags:'))
      .split('\n')
      .slice(1)
      .join(' ')
      .split(/\s+/)
      .filter(Boolean);
    expect(flags.length).toBeGreaterThan(250);
    for (const flag of flags) expect(resolveFeature(flag)?.name, flag).toBe(flag);
    expect(
      featuresKnownIn(version)
        .map((f) => f.name)
        .sort(),
    ).toEqual([...new Set(flags)].sort());
  });

  it("knows every option of QEMU's x86 CPU that is no feature, with its type (data/qemu-cpu.json)", async () => {
    type Prop = { name: string; type: string };
    const list = (typename: string) => tcg.execute<Prop[]>('qom-list-properties', { typename });
    const generic = new Set((await list('cpu')).map((p) => p.name));
    const live = Object.fromEntries(
      (await list('max-x86_64-cpu'))
        .filter((p) => !generic.has(p.name) && !resolveFeature(p.name))
        .map((p) => [p.name, p.type]),
    );
    const ours = Object.fromEntries(
      Object.entries(qemuCpuData.properties)
        .filter(([, p]) => knownIn(p.qemu, version) && !('removed' in p && knownIn(p.removed, version)))
        .map(([n, p]) => [n, p.type]),
    );
    expect(Object.keys(live).length).toBeGreaterThan(60);
    expect(ours).toEqual(live);
    // and the width of a named model started without phys-bits
    expect(defaultPhysBits(qemuBinary!)).toBe((qemuCpuData.defaultPhysBits as Record<string, number>)[version]);
  });

  it('lists every model of QEMU with the same aliases', async () => {
    const defs = await queryCpuDefinitions(tcg);
    for (const d of defs) {
      if (['host', 'max', 'base'].includes(d.name)) continue;
      const target = d['alias-of'] ?? d.name;
      const m = resolveModel(d.name);
      expect(m?.name, d.name).toBe(target);
      if (d['alias-of']) expect(m!.aliases).toContain(d.name);
    }
    expect(ourModels().length).toBe(
      defs.filter((d) => !d['alias-of'] && !['host', 'max', 'base'].includes(d.name)).length,
    );
  });

  it('`models --json --qemu X.Y` lists every model this QEMU defines, verified, with its own features', async () => {
    const r = cli(['models', '--json', '--qemu', version]);
    expect(r.code, r.stderr).toBe(0);
    const listed = new Map((JSON.parse(r.stdout) as Model[]).map((m) => [m.name, m]));
    const defs = (await queryCpuDefinitions(tcg)).filter((d) => !d['alias-of'] && !NON_MODELS.includes(d.name));
    expect(defs.length).toBeGreaterThan(70);
    for (const d of defs) {
      const m = listed.get(d.name);
      expect(m?.verified, d.name).toBe(true);
      expect(m!.features, d.name).toEqual(enabledProps(await expandCpuModel(tcg, 'static', { name: d.name })));
    }
  });

  it("every model's features equal QEMU's static expansion (TCG), with vendor and family", async () => {
    for (const m of ourModels()) {
      const e = await expandCpuModel(tcg, 'static', { name: m.name });
      expect(m.features, m.name).toEqual(enabledProps(e));
      expect(m.family, m.name).toBe(e.props!.family);
      expect(m.model, m.name).toBe(e.props!.model);
      if (m.vendor) expect(m.vendor, m.name).toBe(e.props!.vendor);
    }
  });

  it.skipIf(!haveKvm)("every model's KVM features equal QEMU's static expansion under KVM", async () => {
    const kvm = await QmpSession.start({ accel: 'kvm', binary: qemuBinary });
    try {
      for (const m of ourModels()) {
        expect(m.kvmFeatures, m.name).toEqual(enabledProps(await expandCpuModel(kvm, 'static', { name: m.name })));
      }
    } finally {
      await kvm.close();
    }
  });

  it('QEMU accepts every alias on -cpu, and QMP folds each one to its canonical name', async () => {
    const features = featuresKnownIn(version);
    const aliases = features.flatMap((f) => f.aliases.map((a) => [a, f.name] as const));
    expect(aliases.length).toBeGreaterThan(100);
    const cpu = ['base', ...aliases.map(([a]) => `${a}=off`)].join(',');
    const r = spawnSync(
      qemuBinary!,
      ['-machine', 'pc,accel=tcg', '-nodefaults', '-display', 'none', '-S', '-cpu', cpu, '-qmp', 'stdio'],
      {
        input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n',
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.stderr).not.toMatch(/not found/);
    expect(r.status).toBe(0);
    // Real alias properties (not just the "_" spelling the -cpu parser rewrites) fold under QMP too
    for (const [alias, canonical] of aliases) {
      const e = await expandCpuModel(tcg, 'static', { name: 'base', props: { [alias]: true } }).catch(() => null);
      // TCG filters KVM's paravirtual leaf out of expansions, so those fold to nothing here
      if (e && enabledProps(e).length) expect(enabledProps(e), alias).toContain(canonical);
    }
  });
});

/** Versioned models never change once released: every model both QEMUs define expands the same in both. */
describe.skipIf(qemuOracles.length < 2)('a model both QEMUs define expands identically in both', () => {
  const expansions = async (binary: string, accel: 'tcg' | 'kvm') => {
    const s = await QmpSession.start({ accel, binary });
    try {
      const out = new Map<string, unknown>();
      for (const d of await queryCpuDefinitions(s)) {
        if (d['alias-of'] || NON_MODELS.includes(d.name)) continue;
        const p = (await expandCpuModel(s, 'static', { name: d.name })).props!;
        const identity = ['vendor', 'family', 'model', 'stepping', 'model-id'].map((k) => p[k]);
        out.set(d.name, { identity, features: enabledProps({ name: d.name, props: p }) });
      }
      return out;
    } finally {
      await s.close();
    }
  };

  for (const accel of ['tcg', 'kvm'] as const)
    it.skipIf(accel === 'kvm' && !haveKvm)(`under ${accel.toUpperCase()}`, async () => {
      const [older, newer] = await Promise.all(qemuOracles.map((o) => expansions(o.binary, accel)));
      const common = [...older.keys()].filter((n) => newer.has(n));
      expect(common.length).toBeGreaterThan(70);
      expect(
        [...older.keys()].filter((n) => !newer.has(n)),
        'models the newer QEMU dropped',
      ).toEqual([]);
      for (const name of common) expect(newer.get(name), name).toEqual(older.get(name));
    });
});
