/** phys-bits when some host's address width is unknown: never "the smallest of all hosts", never above QEMU's default. */
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { computeBaseline } from '../src/engine/baseline.js';
import { QEMU_DEFAULT_PHYS_BITS, choosePhysBits } from '../src/engine/phys-bits.js';
import { EMITTERS } from '../src/emitters/index.js';
import { fixtureProfiles } from './helpers/fixtures.js';
import { cli } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';

const real = fixtureProfiles().filter((p) => !p.name.startsWith('Xeon-E5504')); // the cut-off dump
const byName = (n: string) => real.find((p) => p.name.startsWith(n))!;

describe('phys-bits', () => {
  it('every host known: the smallest, and no unknown list', () => {
    const hosts = [byName('Xeon-E5-2690-v4'), byName('EPYC-7301')];
    const r = computeBaseline(hosts);
    expect(r.physBits).toBe(Math.min(...hosts.map((h) => h.physBits!)));
    expect(r.physBitsUnknownOn).toBeUndefined();
    expect(EMITTERS.text.emit(r)).toMatch(/the smallest of all hosts/);
  });

  it("some host unknown: at most QEMU's default, the host named in a warning, never 'smallest of all hosts'", () => {
    const wide = byName('Xeon-E5-2690-v4'); // 46 bits
    const blind = { ...byName('Xeon-Gold-6132'), name: 'blind', physBits: null };
    expect(wide.physBits).toBeGreaterThan(QEMU_DEFAULT_PHYS_BITS);
    const r = computeBaseline([wide, blind]);
    expect(r.physBits).toBe(QEMU_DEFAULT_PHYS_BITS);
    expect(r.physBitsUnknownOn).toEqual(['blind']);
    const w = r.warnings.find((x) => x.code === 'phys-bits-unknown')!;
    expect(w.message).toMatch(/unknown for blind: the model pins phys-bits=40/);
    expect(w.message).toMatch(/smallest reported is 46/);
    const text = EMITTERS.text.emit(r);
    expect(text).not.toMatch(/smallest of all hosts/);
    expect(EMITTERS.qemu.emit(r)).toMatch(/,phys-bits=40,enforce\s*$/);
    expect(EMITTERS.pve.emit(r)).toMatch(/# phys-bits 40: no host width known for blind/);
  });

  it('a known host narrower than the default wins; nothing known pins the default', () => {
    const narrow = { ...byName('Core-i5-5200U'), physBits: 39 };
    const blind = { ...byName('Xeon-Gold-6132'), name: 'blind', physBits: null };
    expect(choosePhysBits([narrow, blind])).toEqual({ physBits: 39, smallestKnown: 39, unknownOn: ['blind'] });
    expect(choosePhysBits([blind, { ...blind, name: 'b2' }])).toEqual({
      physBits: 40,
      smallestKnown: null,
      unknownOn: ['blind', 'b2'],
    });
  });

  it('through the CLI: a Proxmox node status (no address sizes) next to a cpuinfo dump', () => {
    const status = resolve(repoRoot, 'test/fixtures/pve/8.4/nodes/pve1/status.json');
    const r = cli(['baseline', status, join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.physBits).toBe(40);
    expect(out.physBitsUnknownOn).toEqual(['status']);
    expect(out.warnings.find((w: { code: string }) => w.code === 'phys-bits-unknown').message).toMatch(
      /unknown for status/,
    );
  });
});
