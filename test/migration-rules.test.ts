/**
 * The migration rules table: each rule once, with its scopes, and the three readers agreeing on it:
 * a host `check` refuses a VM on is never a live-migration target (`plan`, `targets`), and a rule's
 * move blocker has its warning in `check` and in the pool's hazards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../src/engine/baseline.js';
import { checkMatrix } from '../src/engine/check.js';
import { capabilitiesLost, migrationBlockers } from '../src/engine/migration.js';
import { scopesOf } from '../src/engine/rules/scopes.js';
import { MIGRATION_RULES, whyMissing } from '../src/engine/rules/table.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { vmFromCpuString } from '../src/sources/vm/qemu-cpu.js';
import { fixtureProfiles } from './helpers/fixtures.js';

const hosts = fixtureProfiles('6.8');
const byName = (n: string) => hosts.find((h) => h.name.startsWith(n))!;
const vm = (cpu: string) => vmFromCpuString(cpu, 'test', cpu);

describe('the rule table', () => {
  it('has each rule once, with its fact, its source and at least one scope', () => {
    const ids = MIGRATION_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of MIGRATION_RULES) {
      expect(r.fact.length, r.id).toBeGreaterThan(10);
      expect(r.source.length, r.id).toBeGreaterThan(10);
      expect(scopesOf(r).length, r.id).toBeGreaterThan(0);
    }
  });

  it('holds the rules the commands used to repeat, each answering in every scope it matters to', () => {
    const scopes = Object.fromEntries(MIGRATION_RULES.map((r) => [r.id, scopesOf(r)]));
    expect(scopes['invtsc']).toEqual(['pool', 'start', 'move', 'model-change']);
    expect(scopes['nested-virt']).toEqual(['pool', 'start', 'move', 'model-change']);
    expect(scopes['cross-vendor']).toEqual(['pool', 'start', 'move']);
    expect(scopes['cpu-passthrough']).toEqual(['start', 'move']);
    expect(scopes['phys-bits-guest']).toEqual(['start', 'move']);
    expect(scopes['tsx']).toEqual(['pool', 'why-missing']);
    expect(scopes['machine-version']).toEqual(['move']);
  });

  it('explains a missing feature by the first rule that knows', () => {
    const intel = byName('Xeon-E5-2690-v4');
    const amd = byName('EPYC-7301');
    expect(whyMissing('rtm', byName('Xeon-E5620'))).toMatch(/no TSX on this host/);
    expect(whyMissing('svm', intel)).toMatch(/AMD-only bit/);
    expect(whyMissing('vmx', amd)).toMatch(/Intel-only bit/);
    expect(whyMissing('no-such-feature', intel)).toBeUndefined();
  });

  it('names what a model change takes from the guest, for every rule that says', () => {
    expect(capabilitiesLost(['invtsc', 'vmx', 'sse2'], ['sse2'])).toEqual({
      features: ['invtsc', 'vmx'],
      loses: ['the invariant TSC', 'nested virtualization'],
    });
    expect(capabilitiesLost(['sse2'], [])).toEqual({ features: [], loses: [] });
  });
});

describe('check, plan and targets read the same rules', () => {
  const cpus = [
    'kvm64,+kvm-pv-unhalt,+kvm-pv-eoi',
    'Haswell-noTSX,+invtsc',
    'Haswell-noTSX,+invtsc,tsc-frequency=2000000000',
    'Skylake-Server,+vmx',
    'EPYC-Rome,+svm,host-phys-bits=on',
    'Broadwell,+hle,+rtm',
    'x86-64-v2-AES',
    'qemu64,phys-bits=46',
    'host',
  ];

  it('a host check refuses is never a live target, from any source host', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cpus),
        fc.constantFrom(...hosts),
        fc.constantFrom(...hosts),
        fc.constantFrom(undefined, '7.2', '9.2'),
        (cpu: string, source: HostProfile, target: HostProfile, machineVersion: string | undefined) => {
          const v = vm(cpu);
          const cell = checkMatrix([v], [target]).cells[0];
          const blockers = migrationBlockers({ vm: v, source, target, machineVersion });
          if (!cell.ok) expect(blockers.length).toBeGreaterThan(0);
          for (const m of cell.missing) expect(blockers.join('\n')).toContain(m.feature);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a rule that blocks a move also warns in check and, for the pool, in the hazards', () => {
    const intel = byName('Xeon-E5-2690-v4');
    const amd = byName('EPYC-7301');
    const v = vm('kvm64,+kvm-pv-unhalt,+invtsc');
    const blockers = migrationBlockers({ vm: v, source: intel, target: amd });
    expect(blockers.some((b) => /kvm_kick_cpu/.test(b))).toBe(true);
    expect(blockers.some((b) => /invtsc without a pinned tsc-frequency/.test(b))).toBe(true);
    const warnings = checkMatrix([v], [intel, amd]).cells[0].warnings.join('\n');
    expect(warnings).toMatch(/kvm_kick_cpu/);
    expect(warnings).toMatch(/invtsc: QEMU refuses to live-migrate/);
    const codes = computeBaseline([intel, amd]).warnings.map((w) => w.code);
    expect(codes).toEqual(expect.arrayContaining(['cross-vendor', 'kvm-pv-unhalt', 'hypercall-pv', 'invtsc']));
  });
});
