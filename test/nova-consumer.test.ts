/**
 * Nova's own code reads the nova output: Debian 12's python3-nova (26.2.2, Zed) parses the
 * [libvirt] options with oslo.config and runs LibvirtDriver._check_cpu_compatibility() — what
 * nova-compute runs at start — against a real libvirt 9.0 (a private session daemon), which maps
 * cpu_models through libvirt's own model list. Flavor extra specs go through Nova's validators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMITTERS } from '../src/emitters/index.js';
import { pairResults } from './helpers/consumer-pairs.js';
import { startSessionLibvirtd, type SessionLibvirtd } from './helpers/libvirtd.js';
import { repoRoot } from './helpers/paths.js';

interface NovaAnswer {
  nova: string;
  cpu_models: string[];
  cpu_model_extra_flags: string[];
  models?: string[];
  flags?: Array<[string, 'require' | 'disable']>;
  refused?: string;
  extra_spec_refused?: string[];
}

let lv: SessionLibvirtd;
const results = pairResults();
const OLD_FLAVOR_ADVICE =
  '[libvirt]\ncpu_mode = custom\ncpu_models = kvm64\n# openstack flavor set F --property hw:maxphysaddr_mode=emulate --property hw:maxphysaddr_bits=43\n';
const VERSIONED = '[libvirt]\ncpu_mode = custom\ncpu_models = EPYC-v3\n';

/** Every nova.conf the tests ask about, by key. */
function confs(): Record<string, string> {
  const c: Record<string, string> = { old: OLD_FLAVOR_ADVICE, versioned: VERSIONED };
  for (const [pair, r] of Object.entries(results))
    for (const release of ['zed', 'victoria', 'stein', '2024.1'])
      c[`${pair}/${release}`] = EMITTERS.nova.emit(r, { nova: release });
  return c;
}

const texts = confs();
let answers: Record<string, NovaAnswer>;

/** Runs Debian's Nova (system python, where python3-nova lives) once over every nova.conf text. */
function runNova(): Record<string, NovaAnswer> {
  const keys = Object.keys(texts);
  const files = keys.map((k, i) => {
    const file = join(lv.dir, `nova-${i}.conf`);
    writeFileSync(file, texts[k]);
    return file;
  });
  const r = spawnSync('/usr/bin/python3', [join(repoRoot, 'test/helpers/nova_check.py'), lv.uri, 'qemu', ...files], {
    encoding: 'utf8',
    uid: 65534,
    gid: 65534,
    env: { HOME: lv.dir, PATH: '/usr/bin:/bin' },
    timeout: 600_000,
  });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  expect(lines.length, r.stderr).toBe(keys.length);
  return Object.fromEntries(keys.map((k, i) => [k, JSON.parse(lines[i])]));
}

beforeAll(async () => {
  lv = await startSessionLibvirtd();
  answers = runNova();
}, 660_000);
afterAll(async () => lv && (await lv.stop()));

const accepted = (a: NovaAnswer) => !a.refused && !a.extra_spec_refused;

describe("Nova 26 (Zed, Debian 12's python3-nova) with libvirt 9.0", () => {
  for (const pair of Object.keys(results)) {
    it(`${pair}: nova-compute's CPU check accepts the model and parses every flag as meant`, () => {
      const out = texts[`${pair}/zed`];
      const answer = answers[`${pair}/zed`];
      expect(answer.nova).toBe('26.2.2');
      expect(answer.refused).toBeUndefined();
      const model = /^cpu_models = (\S+)$/m.exec(out)![1];
      expect(answer.models).toEqual([model]);
      const written = /^cpu_model_extra_flags = (.*)$/m.exec(out)?.[1].split(', ') ?? [];
      expect(answer.flags).toEqual(
        written.map((f) => [f.replace(/^[+-]/, ''), f.startsWith('-') ? 'disable' : 'require']),
      );
    });
  }

  it('a versioned name (what the nova output used to say) is refused by Nova with its own message', () => {
    expect(answers.versioned.refused).toMatch(/Configured CPU model: EPYC-v3 is not correct/);
  });

  it('releases before Wallaby get only enabling flags, in the cpu_model spelling before Train', () => {
    for (const [release, key] of [
      ['victoria', 'cpu_models'],
      ['stein', 'cpu_model'],
    ] as const) {
      for (const pair of Object.keys(results)) {
        const out = texts[`${pair}/${release}`];
        expect(out).toMatch(new RegExp(`^${key} = `, 'm'));
        expect(/^cpu_model_extra_flags = (.*)$/m.exec(out)?.[1] ?? '').not.toMatch(/(^|, )[+-]/);
        const answer = answers[`${pair}/${release}`]; // Zed still reads the deprecated cpu_model name
        expect(accepted(answer), answer.refused).toBe(true);
        expect((answer.flags ?? []).every(([, p]) => p === 'require')).toBe(true);
      }
    }
  });

  it("phys-bits: the old flavor-spec advice fails Nova's validator; image properties from 2024.1 only", () => {
    expect(answers.old.extra_spec_refused?.length).toBe(2);
    const r = results['field-report'];
    expect(texts['field-report/zed']).not.toMatch(/maxphysaddr_mode/);
    expect(texts['field-report/zed']).toMatch(/cannot set it/);
    const caracal = texts['field-report/2024.1'];
    expect(caracal).toContain(`--property hw_maxphysaddr_mode=emulate --property hw_maxphysaddr_bits=${r.physBits}`);
    expect(caracal).not.toMatch(/--property hw:maxphysaddr/);
    expect(accepted(answers['field-report/2024.1'])).toBe(true);
  });
});
