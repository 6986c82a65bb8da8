import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveModel } from '../src/catalog/index.js';
import { EMITTERS } from '../src/emitters/index.js';
import { libvirtRelease } from '../src/catalog/libvirt.js';
import { novaRelease } from '../src/emitters/nova-releases.js';
import { cli } from './helpers/cli.js';
import { pairResults } from './helpers/consumer-pairs.js';
import { repoRoot } from './helpers/paths.js';

const results = pairResults();
const modelOf = (xml: string) => /<model fallback='forbid'>([^<]+)<\/model>/.exec(xml)![1];

describe('--libvirt', () => {
  it('before 10.10 only names in libvirt 9.0 map; from 10.10 a versioned name may be used', () => {
    for (const r of Object.values(results))
      for (const v of ['9.0', '10.0', '10.9'])
        expect(libvirtRelease('9.0')!.models).toContain(modelOf(EMITTERS.libvirt.emit(r, { libvirt: v })));
    const amd = results.amd;
    expect(amd.base).toMatch(/-v\d+$/);
    const newer = modelOf(EMITTERS.libvirt.emit(amd, { libvirt: '10.10' }));
    expect(resolveModel(newer)).toBeDefined();
    expect(EMITTERS.libvirt.emit(amd, { libvirt: '10.10' })).toContain("check='partial'");
  });

  it("turns off what libvirt's definition of the base requires and the promise lacks (phenom: monitor, svm)", () => {
    const phenom = resolveModel('phenom')!;
    const r = {
      ...results['old-new-amd'],
      base: phenom.name,
      features: [...phenom.kvmFeatures].sort(),
      plus: [],
      minus: [],
      cpu: phenom.name,
    };
    const out = EMITTERS.libvirt.emit(r, {});
    expect(modelOf(out)).toBe('phenom');
    expect(out).toContain("<feature policy='disable' name='monitor'/>");
    expect(out).toContain("<feature policy='disable' name='svm'/>");
  });
});

describe('release options are bad input when unknown: exit 2, one line', () => {
  const cluster = join(repoRoot, 'examples/field-report-cluster');
  for (const [opt, value, format] of [
    ['--nova', 'havana', 'nova'],
    ['--pve-release', '6', 'pve'],
    ['--libvirt', 'ten', 'libvirt'],
  ]) {
    it(`${opt} ${value}`, () => {
      const r = cli(['baseline', cluster, '--format', format, opt, value]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(opt);
    });
  }

  it('Nova releases by series, codename or version', () => {
    expect(novaRelease('Wallaby')).toEqual({ name: 'wallaby', major: 23 });
    expect(novaRelease('caracal')).toEqual({ name: '2024.1', major: 29 });
    expect(novaRelease('26.2.2')).toEqual({ name: 'zed', major: 26 });
  });
});
