/**
 * validateProfiles (src/sources/validate-profiles.ts) checks each shape of profile with the schema
 * once, yet every field that differs from a checked profile, and every list that may have changed, is
 * still checked.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../src/errors.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { isSharedFeatureList, sortedFeatures } from '../src/profile/build.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { validateProfiles } from '../src/sources/validate-profiles.js';
import { fixturesDir } from './helpers/paths.js';

const broadwell = readFileSync(resolve(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');

describe('the schema runs once per shape, every differing field is still checked', () => {
  const sample = () => readProfilesFromText(broadwell, 'a.cpuinfo', 'a')[0];

  it('a host like a checked one but for some fields has those fields checked', () => {
    const p = sample();
    expect(Object.isFrozen(p.features)).toBe(true);
    validateProfiles([p], 'first');
    for (const bad of [{ physBits: 999 }, { name: '' }, { family: 1.5 }, { vendor: 'x' }, { extra: 1 }] as const)
      expect(() => validateProfiles([{ ...p, ...bad } as HostProfile], 'second'), JSON.stringify(bad)).toThrow(
        InputError,
      );
  });

  it('lists and records that were never checked, or can still change, are checked in full', () => {
    const p = sample();
    const frozenBad = Object.freeze([...p.features, 7]) as unknown as string[];
    expect(() => validateProfiles([{ ...p, features: frozenBad }], 'frozen')).toThrow(/invalid features/);
    const open = [...p.features];
    validateProfiles([{ ...p, features: open }], 'open');
    open.push(7 as unknown as string);
    expect(() => validateProfiles([{ ...p, features: open }], 'changed')).toThrow(/invalid features/);
    const notes = Object.freeze([1]) as unknown as string[];
    expect(() => validateProfiles([{ ...p, notes }], 'notes')).toThrow(/invalid notes/);
    const mitigations: Record<string, string> = { mds: 'Not affected' };
    validateProfiles([{ ...p, mitigations }], 'record');
    mitigations.mds = 7 as unknown as string;
    expect(() => validateProfiles([{ ...p, mitigations }], 'record changed')).toThrow(/invalid mitigations/);
  });
});

describe('shared feature lists', () => {
  it('only lists of strings count as shared (their elements are not checked again)', () => {
    const p = readProfilesFromText(broadwell, 'a.cpuinfo', 'a')[0];
    expect(isSharedFeatureList(p.features)).toBe(true);
    const bad = sortedFeatures(['a', 7 as unknown as string]);
    expect(isSharedFeatureList(bad)).toBe(false);
    expect(() => validateProfiles([{ ...p, features: bad }], 'bad')).toThrow(/invalid features/);
    expect(isSharedFeatureList([...p.features])).toBe(false);
  });
});
