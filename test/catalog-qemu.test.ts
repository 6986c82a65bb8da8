import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { allFeatures, allModels, featuresKnownIn, resolveFeature, resolveModel } from '../src/catalog/index.js';
import { QmpSession, enabledProps, expandCpuModel, queryCpuDefinitions } from '../src/qemu/qmp.js';
import { haveKvm, haveQemu, qemuBinary } from './helpers/qemu.js';

/** The catalog must say exactly what the installed QEMU says: names, aliases and every model's static expansion. */
describe.skipIf(!haveQemu)('catalog against the installed QEMU', () => {
  let tcg: QmpSession;
  let version: string;
  beforeAll(async () => {
    tcg = await QmpSession.start({ accel: 'tcg' });
    const v = await tcg.execute<{ qemu: { major: number; minor: number } }>('query-version');
    version = `${v.qemu.major}.${v.qemu.minor}`;
  });
  afterAll(async () => tcg?.close());

  const ourModels = () => allModels().filter((m) => m.source === `qemu-${version}`);

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
    const kvm = await QmpSession.start({ accel: 'kvm' });
    try {
      for (const m of ourModels()) {
        expect(m.kvmFeatures, m.name).toEqual(enabledProps(await expandCpuModel(kvm, 'static', { name: m.name })));
      }
    } finally {
      await kvm.close();
    }
  });

  it('QEMU accepts every alias on -cpu, and QMP folds each one to its canonical name', async () => {
    const features = allFeatures().filter((x) => x.qemu === version);
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
