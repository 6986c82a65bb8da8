/**
 * The engine pieces the dashboard leads with: the built-in type ladder, user-disabled features as a
 * baseline option, lost features by cause, What-if per CPU-model group, VM verdicts, warning ranks.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveModel } from '../src/catalog/index.js';
import { computeBaseline } from '../src/engine/baseline.js';
import { builtinLadder } from '../src/engine/builtin-ladder.js';
import { checkMatrix } from '../src/engine/check.js';
import { groupWhatIf } from '../src/engine/group-whatif.js';
import { groupLost } from '../src/engine/lost-groups.js';
import { unavailableOn } from '../src/engine/runnable.js';
import { guardedFeatures } from '../src/engine/user-choices.js';
import { rankWarnings } from '../src/engine/warning-rank.js';
import { emitText } from '../src/emitters/text.js';
import { pveModelSection } from '../src/emitters/pve.js';
import { readProfileInputs } from '../src/sources/files.js';
import { readVmsFromText } from '../src/sources/vm/index.js';
import { splitCpuinfoDumps } from '../src/web/ui/paste-split.js';
import { vmVerdicts } from '../src/web/common/vm-verdict.js';
import { fixtureProfiles } from './helpers/fixtures.js';
import { repoRoot } from './helpers/paths.js';

const example = () => readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]);
const byName = (name: string) => fixtureProfiles().find((p) => p.name.startsWith(name))!;

describe('built-in type ladder', () => {
  it('ticks a type exactly where the catalog model runs, on every fixture pair', () => {
    const all = fixtureProfiles();
    for (let i = 0; i + 1 < all.length; i += 3) {
      const hosts = [all[i], all[i + 1]];
      const ladder = builtinLadder(hosts);
      for (const r of ladder.rungs) {
        const model = resolveModel(r.model)!;
        const runs = hosts.filter((h) => unavailableOn(h, model.kvmFeatures).length === 0).length;
        expect(r.runsOn, `${r.type} on ${hosts.map((h) => h.name)}`).toBe(runs);
        expect(r.everywhere).toBe(runs === hosts.length);
      }
      const richest = ladder.rungs.find((r) => r.type === ladder.richest);
      if (richest) {
        expect(richest.everywhere).toBe(true);
        expect(ladder.rungs.filter((r) => r.everywhere).every((r) => r.featureCount <= richest.featureCount)).toBe(
          true,
        );
      }
    }
  });

  it('gives the baseline the same richest type and caveat as the full ladder, for one to all fixture hosts', () => {
    const all = fixtureProfiles();
    for (let n = 1; n <= all.length; n++)
      for (const qemu of [undefined, '7.2', '10.0']) {
        const hosts = all.slice(0, n);
        const ladder = builtinLadder(hosts, { qemu });
        const r = computeBaseline(hosts, { qemu });
        expect(r.richestBuiltin, `${n} hosts, QEMU ${qemu}`).toBe(ladder.richest);
        expect(r.builtinCaveat).toBe(ladder.caveat);
      }
  });

  it('names x86-64-v3 for the field-report cluster, warns about Proxmox’s kvm_pv_unhalt across vendors, and the text report says so', () => {
    const ladder = builtinLadder(example());
    expect(ladder.richest).toBe('x86-64-v3');
    expect(ladder.caveat).toMatch(/kvm_pv_unhalt/);
    const v4 = ladder.rungs.find((r) => r.type === 'x86-64-v4')!;
    expect(v4.everywhere).toBe(false);
    expect(v4.blocked.flatMap((b) => b.missing)).toContain('avx512f');
    const text = emitText(computeBaseline(example()));
    expect(text).toMatch(/Built-in\s+x86-64-v3 is the richest built-in type/);
    // the built-in type is not the answer across vendors: the report says why, next to it
    expect(text.replace(/\s+/g, ' ')).toMatch(/Proxmox switches kvm_pv_unhalt on for every built-in type/);
  });

  it('lists the generic types and the named models of the hosts’ own vendors only', () => {
    const [amd] = example();
    const rungs = builtinLadder([amd]).rungs;
    expect(rungs.filter((r) => r.kind === 'generic').map((r) => r.type)).toEqual([
      'kvm64',
      'x86-64-v2',
      'x86-64-v2-AES',
      'x86-64-v3',
      'x86-64-v4',
    ]);
    expect(rungs.every((r) => r.kind === 'generic' || r.vendor === 'AuthenticAMD')).toBe(true);
    expect(rungs.find((r) => r.type === 'EPYC-Rome')).toBeDefined();
  });
});

describe('disabled features are a baseline option', () => {
  it('leaves them out through the engine and reports them as lost, reason disabled', () => {
    const r = computeBaseline(example(), { disabled: ['avx2', 'aes'] });
    expect(r.features).not.toContain('avx2');
    expect(r.cpu).not.toMatch(/\+avx2|\+aes\b/);
    expect(r.lost.find((l) => l.feature === 'avx2')).toEqual({ feature: 'avx2', missingOn: [], reason: 'disabled' });
    // The rest of the model is untouched
    const full = computeBaseline(example());
    expect(full.features.filter((f) => f !== 'avx2' && f !== 'aes')).toEqual(r.features);
    // A blocker ranking never offers back what the user switched off
    expect(r.blockers.flatMap((b) => b.wouldAdd)).not.toContain('avx2');
  });

  it('guards the x86-64 baseline and refuses unknown names', () => {
    for (const f of ['lm', 'sse2', 'pni', 'fpu', 'apic', 'cx16', 'syscall'])
      expect(guardedFeatures().has(f), f).toBe(true);
    expect(guardedFeatures().has('kvm-pv-unhalt')).toBe(false);
    expect(() => computeBaseline(example(), { disabled: ['lm'] })).toThrow(/lm cannot be left out/);
    expect(() => computeBaseline(example(), { disabled: ['no-such-bit'] })).toThrow(/unknown CPU feature/);
  });
});

describe('lost features by cause', () => {
  it('groups by the hosts lacking them, weighs SIMD over legacy bits, and puts policy last', () => {
    const ivy = byName('Xeon-E5-2650-v2');
    const groups = groupLost(computeBaseline([...example(), ivy]).lost);
    const onIvy = groups.find((g) => !g.reason && g.missingOn.length === 1 && g.missingOn[0] === ivy.name)!;
    expect(onIvy.features).toContain('avx2');
    expect(onIvy.features.indexOf('avx2')).toBeLessThan(onIvy.features.length - 1);
    const firstPolicy = groups.findIndex((g) => g.reason);
    expect(groups.slice(firstPolicy).every((g) => g.reason)).toBe(true);
    expect(groups.flatMap((g) => g.features).sort()).toEqual(
      computeBaseline([...example(), ivy])
        .lost.map((l) => l.feature)
        .sort(),
    );
  });
});

describe('What-if per CPU-model group', () => {
  it('finds what each group holds back, and the model grows as the oldest groups go', () => {
    const hosts = [...example(), byName('Xeon-E5-2650-v2'), byName('Xeon-E5649')];
    const r = groupWhatIf(hosts, (h) => h.modelName ?? h.name);
    const westmere = r.groups.find((g) => g.hosts[0].startsWith('Xeon-E5649'))!;
    expect(westmere.wouldAdd).toContain('avx');
    // Every wouldAdd is what the model without that group really gains
    for (const g of r.groups) {
      const without = computeBaseline(
        hosts.filter((h) => !g.hosts.includes(h.name)),
        { skipExplain: true },
      );
      const base = new Set(computeBaseline(hosts, { skipExplain: true }).features);
      expect(g.wouldAdd).toEqual(without.features.filter((f) => !base.has(f)));
    }
    expect(r.ladder[0].hosts).toBe(hosts.length);
    expect(r.ladder.length).toBe(4);
    // Westmere offers the fewest features: it is the first to go, and the model only grows
    expect(r.ladder[1].dropped).toEqual([hosts[3].modelName]);
    for (let i = 1; i < r.ladder.length; i++)
      expect(r.ladder[i].features).toBeGreaterThanOrEqual(r.ladder[i - 1].features);
  });
});

describe('VM verdicts', () => {
  it('accepts the model’s own cpu: custom-<name>, and folds hosts into groups', () => {
    const hosts = [...example(), byName('Xeon-E5-2650-v2')];
    const model = computeBaseline(example());
    const custom = new Map([[model.name, pveModelSection(model)]]);
    const vms = [
      ...readVmsFromText(`cpu: custom-${model.name}\n`, 'pasted', 'own', custom),
      ...readVmsFromText('cpu: x86-64-v3\n', 'pasted', 'v3'),
      ...readVmsFromText('cpu: host\n', 'pasted', 'pass'),
    ];
    const group = (n: string) => hosts.find((h) => h.name === n)!.modelName ?? n;
    const v = vmVerdicts(checkMatrix(vms, example()), vms, group);
    expect(v.find((x) => x.vm === 'own')!.text).toBe('migrates to all 2 hosts');
    const onThree = vmVerdicts(checkMatrix(vms, hosts), vms, group);
    const v3 = onThree.find((x) => x.vm === 'v3')!;
    expect(v3.kind).toBe('group');
    expect(v3.text).toMatch(/2 of 3 hosts/);
    expect(v3.groups.find((g) => g.ok === 0)!.missing.map((m) => m.feature)).toContain('avx2');
    expect(onThree.find((x) => x.vm === 'pass')!.text).toMatch(/only between hosts of its boot host/);
  });
});

describe('warning ranks and pasted dumps', () => {
  it('puts a truncated dump first, policy last', () => {
    const [amd, intel] = example();
    const cut = { ...intel, name: 'cut', features: intel.features.filter((f) => f !== 'sse2' && f !== 'pni') };
    const ranked = rankWarnings(computeBaseline([amd, cut]).warnings);
    expect(ranked[0].code).toBe('incomplete-profile');
    expect(ranked[0].hosts).toEqual(['cut']);
    expect(ranked[ranked.length - 1].severity).toBe('policy');
  });

  it('splits cpuinfo dumps pasted together', () => {
    const one = 'processor\t: 0\nflags\t: fpu\n\nprocessor\t: 1\nflags\t: fpu\n';
    expect(splitCpuinfoDumps(one)).toHaveLength(1);
    expect(splitCpuinfoDumps(`${one}\n${one}`)).toHaveLength(2);
  });
});
