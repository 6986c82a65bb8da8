import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { allFeatures, resolveFeature, resolveModel } from '../src/catalog/index.js';
import type { BaselineResult } from '../src/engine/types.js';
import { EMITTERS, EmitError, FORMAT_NAMES, type FormatName } from '../src/emitters/index.js';
import { pveForcedFlagsByName } from '../src/emitters/pve-names.js';
import { featureFromLibvirt, libvirtRelease } from '../src/catalog/libvirt.js';
import { parseSectionConfig, type SectionChunk } from '../src/formats/pve-section-config.js';
import { QmpSession } from '../src/qemu/qmp.js';

type Session = QmpSession;
import { expandCpuString, haveKvm, haveLibvirtCpuMap, haveVirtXmlValidate, qemuOracles } from './helpers/qemu.js';
import { installedLibvirtCpuMap } from './helpers/paths.js';

const words = (s: string) => s.trim().split(/\s+/);
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

// kvm64-v1 as QEMU 7.2 expands it under KVM (written out, not taken from the catalog under test).
const KVM64_KVM = words(`apic clflush cmov cx16 cx8 de fpu fxsr hypervisor kvm-asyncpf kvm-nopiodelay kvm-pv-eoi
  kvm-steal-time kvmclock kvmclock-stable-bit lm mca mce mmx msr mtrr nx pae pat pge pni pse pse36 sep sse sse2
  syscall tsc vme x2apic`);
// The field report's hand-made intersection (Xeon E5-2630 v4 + EPYC 7502), in QEMU's canonical spelling.
const FIELD_PLUS = words(`3dnowprefetch abm adx aes arat avx avx2 bmi1 bmi2 f16c fma lahf-lm movbe pclmulqdq popcnt
  rdrand rdseed rdtscp smap smep sse4.1 sse4.2 ssse3 xsave xsaveopt`);

/** (a) Intel + AMD on kvm64-v1, kvm-pv-unhalt off (the field report's crash). */
const mixed: BaselineResult = {
  name: 'migratable-mixed',
  base: 'kvm64-v1',
  cpu: ['kvm64-v1', ...FIELD_PLUS.map((f) => `+${f}`), '-kvm-pv-unhalt'].join(','),
  features: sorted([...KVM64_KVM, ...FIELD_PLUS]),
  plus: FIELD_PLUS,
  minus: ['kvm-pv-unhalt'],
  lost: [
    { feature: 'avx512f', missingOn: ['xeon1', 'xeon2'] },
    { feature: 'clwb', missingOn: ['xeon1', 'xeon2'] },
    { feature: 'hle', missingOn: ['epyc1', 'epyc2'], reason: 'tsx' },
    { feature: 'invtsc', missingOn: [], reason: 'blocks-migration' },
  ],
  warnings: [
    {
      code: 'cross-vendor',
      message: 'Hosts of two vendors: guests see the vendor of the host they booted on.',
      advice: 'Test live migration of each guest OS between an Intel and an AMD host before relying on it.',
    },
    { code: 'kvm-pv-unhalt', message: 'kvm-pv-unhalt is off: its hypercall differs between Intel and AMD.' },
  ],
  hosts: ['xeon1', 'xeon2', 'epyc1', 'epyc2'],
  vendors: ['GenuineIntel', 'AuthenticAMD'],
  physBits: 43,
  qemu: '7.2',
  baseReason: 'no named model fits hosts of both vendors; kvm64 is the generic base',
  gainsOverKvm64: sorted(FIELD_PLUS),
  blockers: [{ host: 'xeon1', wouldAdd: ['clwb', 'clzero', 'sha-ni', 'wbnoinvd', 'xsavec', 'xsaves'] }],
  alternatives: [
    {
      vendor: 'AuthenticAMD',
      hosts: ['epyc1', 'epyc2'],
      base: 'EPYC-Rome-v2',
      cpu: 'EPYC-Rome-v2',
      gains: ['clwb', 'clzero', 'sha-ni', 'wbnoinvd', 'xsavec'],
    },
  ],
};

// Broadwell-v4 under KVM, written out.
const BROADWELL_V4_KVM = words(`3dnowprefetch abm adx aes apic arat avx avx2 bmi1 bmi2 clflush cmov cx16 cx8 de erms
  f16c fma fpu fsgsbase fxsr hypervisor invpcid kvm-asyncpf kvm-nopiodelay kvm-pv-eoi kvm-steal-time kvmclock
  kvmclock-stable-bit lahf-lm lm mca mce mmx movbe msr mtrr nx pae pat pcid pclmulqdq pge pni popcnt pse pse36
  rdrand rdseed rdtscp sep smap smep spec-ctrl sse sse2 sse4.1 sse4.2 ssse3 syscall tsc tsc-deadline vme x2apic
  xsave xsaveopt`);
const BW_PLUS = ['md-clear', 'pdpe1gb', 'ssbd'];
const BW_MINUS = ['invpcid', 'rdseed'];

/** (b) Intel only, on Broadwell-v4 with a few deltas. */
const intel: BaselineResult = {
  ...mixed,
  name: 'broadwell-fleet',
  base: 'Broadwell-v4',
  cpu: ['Broadwell-v4', ...BW_PLUS.map((f) => `+${f}`), ...BW_MINUS.map((f) => `-${f}`)].join(','),
  features: sorted([...BROADWELL_V4_KVM, ...BW_PLUS].filter((f) => !BW_MINUS.includes(f))),
  plus: BW_PLUS,
  minus: BW_MINUS,
  lost: [{ feature: 'avx512f', missingOn: ['bdw1'] }],
  warnings: [],
  hosts: ['bdw1', 'skl1'],
  vendors: ['GenuineIntel'],
  physBits: 46,
  baseReason: 'the newest Intel model every host runs',
  gainsOverKvm64: [],
  blockers: [],
  alternatives: [],
};

/** (c) kvm64 with only aes: PVE would add lahf_lm and kvm_pv_unhalt, which the model leaves out. */
const small: BaselineResult = {
  ...mixed,
  name: 'small',
  cpu: 'kvm64-v1,+aes',
  features: sorted([...KVM64_KVM, 'aes']),
  plus: ['aes'],
  minus: [],
  physBits: null,
};

const CONFIG_FORMATS = FORMAT_NAMES.filter((f) => f !== 'text' && f !== 'json');
const emit = (format: FormatName, r: BaselineResult, opts = {}) => EMITTERS[format].emit(r, opts);

describe('registry', () => {
  it('has one emitter per format, each with a description', () => {
    expect(FORMAT_NAMES.sort()).toEqual([
      'incus',
      'json',
      'kubevirt',
      'libvirt',
      'nova',
      'pve',
      'pve-args',
      'qemu',
      'text',
    ]);
    for (const f of FORMAT_NAMES) {
      expect(EMITTERS[f].description.length, f).toBeGreaterThan(10);
      expect(emit(f, mixed).endsWith('\n'), f).toBe(true);
    }
  });
});

describe('safety', () => {
  // Every token that names a feature (any spelling: QEMU, alias, libvirt) is collected.
  const libvirtNames = new Map(
    allFeatures()
      .filter((f) => f.libvirt)
      .map((f) => [f.libvirt!, f.name]),
  );
  const mentioned = (text: string) =>
    text
      .split(/[^A-Za-z0-9_.-]+/)
      .map((t) => t.replace(/^[+-]/, '').replace(/\.$/, ''))
      .map((t) => resolveFeature(t)?.name ?? libvirtNames.get(t))
      .filter((n): n is string => n !== undefined);

  for (const [label, r] of [
    ['mixed', mixed],
    ['intel', intel],
  ] as const) {
    it.each(CONFIG_FORMATS)(`%s output (${label}) names no feature outside features and minus`, (format) => {
      const allowed = new Set([...r.features, ...r.minus]);
      const out = emit(format, r, { wrapDomain: true });
      const seen = mentioned(out);
      // PVE turns some flags on by itself; the section may only turn those off
      const undone = [...pveForcedFlagsByName(format === 'pve' ? 'kvm64' : '')].filter(
        ([, v]) => !allowed.has(v.feature),
      );
      for (const [key, v] of undone) {
        expect(out, key).not.toContain(`+${key}`);
        allowed.add(v.feature);
      }
      expect(seen.filter((f) => !allowed.has(f))).toEqual([]);
      // and it does name the deltas
      expect(seen).toEqual(
        expect.arrayContaining(r.plus.filter((f) => resolveFeature(f)!.libvirt || format !== 'kubevirt')),
      );
    });
  }

  it('refuses a result whose features omit something its base gives guests', () => {
    const bad = { ...intel, features: intel.features.filter((f) => f !== 'avx2') };
    for (const format of CONFIG_FORMATS) expect(() => emit(format, bad), format).toThrow(/avx2/);
    // reports still render: they describe the result, they configure nothing
    expect(() => emit('text', bad)).not.toThrow();
  });

  it('refuses plus features that features does not list, and a cpu string that disagrees', () => {
    const plusNotGuest = { ...mixed, plus: [...mixed.plus, 'avx512f'], cpu: mixed.cpu + ',+avx512f' };
    const wrongCpu = { ...mixed, cpu: mixed.cpu.replace('+avx2,', '') };
    for (const format of CONFIG_FORMATS) {
      expect(() => emit(format, plusNotGuest), format).toThrow(EmitError);
      expect(() => emit(format, wrongCpu), format).toThrow(/does not match/);
    }
  });

  it('refuses to drop a minus libvirt cannot express when QEMU turns it on', () => {
    const r = {
      ...intel,
      minus: [...intel.minus, 'kvm-steal-time'],
      cpu: intel.cpu + ',-kvm-steal-time',
      features: intel.features.filter((f) => f !== 'kvm-steal-time'),
    };
    for (const format of ['libvirt', 'nova', 'kubevirt'] as const)
      expect(() => emit(format, r), format).toThrow(/kvm-steal-time/);
    expect(emit('qemu', r)).toContain('-kvm-steal-time');
  });
});

describe('json', () => {
  it('is exactly the result, with the contract fields', () => {
    const parsed = JSON.parse(emit('json', mixed));
    expect(parsed).toEqual(mixed);
    for (const k of ['cpu', 'base', 'features', 'lost', 'warnings', 'hosts', 'physBits', 'plus', 'minus', 'name']) {
      expect(parsed, k).toHaveProperty(k);
    }
    expect(parsed.lost[0]).toEqual({ feature: 'avx512f', missingOn: ['xeon1', 'xeon2'] });
    expect(parsed.warnings[0].code).toBe('cross-vendor');
  });
});

describe('qemu and pve-args', () => {
  it('appends phys-bits and enforce in one flag style', () => {
    const out = emit('qemu', mixed).trim();
    expect(out).toMatch(/^-cpu kvm64-v1,\+3dnowprefetch,\+abm,.*,\+xsaveopt,-kvm-pv-unhalt,phys-bits=43,enforce$/);
    expect(out).not.toMatch(/=(on|off|true|false|yes|no)\b/); // no x=on beside +x: QEMU warns about mixed styles
    expect(emit('qemu', small).trim()).toBe('-cpu kvm64-v1,+aes,enforce');
  });

  it('pve-args carries the same -cpu and says to remove cpu:', () => {
    const out = emit('pve-args', mixed);
    expect(out).toContain(`args: ${emit('qemu', mixed).trim()}`);
    expect(out).toMatch(/Remove the VM's cpu: line/);
    expect(out).toMatch(/root@pam/);
    expect(out.split('\n').filter((l) => l && !l.startsWith('#'))).toHaveLength(1);
  });
});

describe('pve', () => {
  const section = (text: string): SectionChunk => {
    const doc = parseSectionConfig(text, 'emitted');
    const s = doc.chunks.filter((c): c is SectionChunk => c.kind === 'section');
    expect(s).toHaveLength(1);
    return s[0];
  };
  const props = (s: SectionChunk) => Object.fromEntries(s.props.map((p) => [p.key, p.value]));

  it('writes a cpu-models.conf section PVE can parse, and the VM line', () => {
    const out = emit('pve', mixed);
    const s = section(emit('pve', mixed, { pvePart: 'models-conf' }));
    expect(s.type).toBe('cpu-model');
    expect(s.id).toBe('migratable-mixed');
    const p = props(s);
    expect(p['reported-model']).toBe('kvm64');
    expect(p['phys-bits']).toBe('43');
    const flags = p.flags!.split(';');
    for (const f of flags) expect(f).toMatch(/^[+-][a-zA-Z0-9\-_.]+$/);
    // PVE's own spelling, so it overrides PVE's +kvm_pv_unhalt instead of sitting beside it
    expect(flags).toContain('-kvm_pv_unhalt');
    expect(flags).toContain('+lahf_lm');
    expect(flags).toContain('+sse4.1');
    expect(out).toContain('\tflags ');
    expect(out).toMatch(/\n\n# VM config[^\n]*\n[^\n]*\ncpu: custom-migratable-mixed\n$/);
    // the whole output up to the VM block is the section followed by a blank line
    expect(out.slice(out.indexOf('cpu-model:'), out.indexOf('# VM config'))).toBe(
      emit('pve', mixed, { pvePart: 'models-conf' }).replace(/^#.*\n/gm, ''),
    );
    expect(emit('pve', mixed, { pvePart: 'vm' })).toBe('cpu: custom-migratable-mixed\n');
  });

  it('uses a reported-model name PVE 8 knows and notes the forced vendor', () => {
    const p = props(section(emit('pve', intel, { pvePart: 'models-conf' })));
    expect(p['reported-model']).toBe('Broadwell-noTSX-IBRS');
    expect(p.flags).toBe('+md-clear;+pdpe1gb;+ssbd;-invpcid;-kvm_pv_unhalt;-rdseed');
    expect(emit('pve', { ...intel, vendors: ['GenuineIntel', 'AuthenticAMD'] })).toMatch(/vendor=GenuineIntel/);
  });

  it('turns off what PVE adds by itself when the model leaves it out', () => {
    const p = props(section(emit('pve', small, { pvePart: 'models-conf' })));
    expect(p.flags).toBe('+aes;-kvm_pv_unhalt;-lahf_lm');
    expect(p['phys-bits']).toBeUndefined();
  });

  it('rejects names Proxmox would not accept', () => {
    for (const name of ['a', '1abc', 'custom-x', 'has space', 'x'.repeat(41)]) {
      expect(() => emit('pve', { ...mixed, name }), name).toThrow(/model name/);
    }
  });
});

describe('libvirt', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'feature' });

  it('uses libvirt spellings for model and features, and pvspinlock for kvm-pv-unhalt', () => {
    const out = emit('libvirt', mixed);
    expect(out).toContain("<cpu mode='custom' match='exact' check='partial'>");
    expect(out).toContain("<model fallback='forbid'>kvm64</model>");
    expect(out).toContain("<maxphysaddr mode='emulate' bits='43'/>");
    expect(out).toContain("<feature policy='require' name='pclmuldq'/>");
    expect(out).toContain("<feature policy='require' name='lahf_lm'/>");
    expect(out).toContain("<pvspinlock state='off'/>");
    const dom = parser.parse(emit('libvirt', intel, { wrapDomain: true })).domain;
    // an unversioned name libvirt 9.0 knows; deltas against QEMU's expansion of it give the promise
    const model = resolveModel(dom.cpu.model['#text'])!;
    expect(libvirtRelease('9.0')!.models).toContain(dom.cpu.model['#text']);
    const guest = new Set(model.kvmFeatures);
    for (const f of dom.cpu.feature as Array<{ policy: string; name: string }>) {
      const q = featureFromLibvirt(f.name)!;
      if (f.policy === 'require') guest.add(q);
      else guest.delete(q);
    }
    if (dom.features?.pvspinlock?.state === 'on') guest.add('kvm-pv-unhalt');
    const unspelled = [...emit('libvirt', intel).matchAll(/<!-- (\S+) has no libvirt/g)].map((m) => m[1]);
    expect([...guest].sort()).toEqual(intel.features.filter((f) => !unspelled.includes(f)));
  });

  it('escapes names', () => {
    const out = emit('libvirt', { ...mixed, name: `a<b&'c"` }, { wrapDomain: true });
    expect(out).toContain('<name>a&lt;b&amp;&apos;c&quot;</name>');
    expect(parser.parse(out).domain.name).toBe(`a<b&'c"`);
  });

  it.skipIf(!haveLibvirtCpuMap)("names only models and features the installed libvirt's CPU map has", () => {
    const mapDir = installedLibvirtCpuMap;
    const models = new Set(
      readdirSync(mapDir)
        .filter((f) => f.startsWith('x86_'))
        .map((f) => f.slice(4, -4)),
    );
    const featureXml = readFileSync(join(mapDir, 'x86_features.xml'), 'utf8');
    const known = new Set([...featureXml.matchAll(/<feature name='([^']+)'/g)].map((m) => m[1]));
    for (const r of [mixed, intel]) {
      const dom = parser.parse(emit('libvirt', r, { wrapDomain: true })).domain;
      expect(models.has(dom.cpu.model['#text']), dom.cpu.model['#text']).toBe(true);
      for (const f of dom.cpu.feature) expect(known.has(f.name), f.name).toBe(true);
    }
  });

  const validator = '/usr/bin/virt-xml-validate';
  it.skipIf(!haveVirtXmlValidate)('passes virt-xml-validate as a domain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migratable-libvirt-'));
    try {
      for (const r of [mixed, intel, small]) {
        const file = join(dir, `${r.name}.xml`);
        writeFileSync(file, emit('libvirt', r, { wrapDomain: true }));
        const v = spawnSync(validator, [file, 'domain'], { encoding: 'utf8' });
        expect(v.status, `${r.name}: ${v.stderr}${v.stdout}`).toBe(0);
      }
      // and the validator does reject a broken document (the check can fail)
      const broken = join(dir, 'broken.xml');
      writeFileSync(broken, emit('libvirt', mixed, { wrapDomain: true }).replace("policy='require'", "policy='maybe'"));
      expect(spawnSync(validator, [broken, 'domain']).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nova', () => {
  it('writes cpu_mode custom with libvirt names and +/- flags', () => {
    const lines = emit('nova', intel, { nova: '2024.1' }).split('\n');
    expect(lines).toContain('[libvirt]');
    expect(lines).toContain('cpu_mode = custom');
    const model = lines.find((l) => l.startsWith('cpu_models = '))!.slice('cpu_models = '.length);
    expect(libvirtRelease('9.0')!.models).toContain(model);
    expect(lines.find((l) => l.startsWith('cpu_model_extra_flags = '))).toMatch(
      /^cpu_model_extra_flags = ([+-][\w.-]+(, |$))+/,
    );
    expect(lines.join('\n')).toMatch(/hw_maxphysaddr_bits=46/);
  });

  it('notes that kvm-pv-unhalt needs no flag because QEMU leaves it off', () => {
    const out = emit('nova', mixed);
    expect(out).toMatch(/# kvm-pv-unhalt: nova\.conf cannot turn it off; QEMU leaves it off/);
    expect(out).toMatch(/cpu_model_extra_flags = \+3dnowprefetch, .*\+pclmuldq, /);
  });
});

describe('kubevirt', () => {
  // A strict YAML 1.2 parser: the snippet must be YAML a kubectl apply would read
  const yaml = (text: string) => parseYaml(text, { strict: true, uniqueKeys: true });

  it('is YAML with model, features and pvspinlock', () => {
    const doc = yaml(emit('kubevirt', mixed));
    const domain = doc.spec.template.spec.domain;
    expect(domain.cpu.model).toBe('kvm64');
    expect(domain.cpu.features).toContainEqual({ name: 'sse4.1', policy: 'require' });
    expect(domain.cpu.features).toContainEqual({ name: 'pclmuldq', policy: 'require' });
    expect(domain.cpu.features).toHaveLength(mixed.plus.length);
    expect(domain.features).toEqual({ pvspinlock: { enabled: false } });
    const bw = yaml(emit('kubevirt', intel)).spec.template.spec.domain;
    expect(bw.cpu.features).toContainEqual({ name: 'invpcid', policy: 'disable' });
  });

  it('warns that kvm64 is obsolete in KubeVirt by default', () => {
    expect(emit('kubevirt', mixed)).toMatch(/obsoleteCPUModels/);
    expect(emit('kubevirt', intel)).not.toMatch(/obsoleteCPUModels/);
  });
});

describe('incus', () => {
  it('sets the cluster group baseline and flags', () => {
    const out = emit('incus', mixed, { incusGroup: 'pve' });
    expect(out).toMatch(/SMT siblings/);
    expect(out).toContain('incus cluster group set pve instances.vm.cpu.x86_64.baseline=kvm64 ');
    expect(out).toMatch(/ 'instances\.vm\.cpu\.x86_64\.flags=\+3dnowprefetch,.*,-kvm-pv-unhalt,phys-bits=43'\n/);
    expect(() => emit('incus', mixed, { incusGroup: 'a b' })).toThrow();
  });
});

describe('text', () => {
  const out = emit('text', mixed, { width: 80 });

  it('shows the model, base and why, phys-bits and hosts', () => {
    expect(out).toMatch(/^Model {6}migratable-mixed$/m);
    expect(out).toMatch(/^-cpu {7}kvm64-v1,\+3dnowprefetch,/m);
    expect(out).toContain('kvm64-v1: no named model fits hosts of both vendors');
    expect(out).toMatch(/^phys-bits {2}43 /m);
  });

  it('groups the gains by category', () => {
    expect(out).toMatch(/^Gained over kvm64 \(25 features\)$/m);
    expect(out).toMatch(/^ {2}crypto +aes pclmulqdq/m);
    expect(out).toMatch(/^ {2}simd +.*avx avx2/m);
    expect(out).toMatch(/^ {2}bit-manipulation +.*bmi1 bmi2/m);
    expect(out.indexOf('  crypto')).toBeLessThan(out.indexOf('  simd'));
  });

  it('lists losses with hosts and reasons, blockers, alternatives and warnings with advice', () => {
    expect(out).toMatch(/^ {2}avx512f +missing on xeon1, xeon2$/m);
    expect(out).toMatch(/^ {2}hle +missing on epyc1, epyc2; tsx$/m);
    expect(out).toMatch(/^ {2}invtsc +blocks-migration$/m);
    expect(out).toMatch(/leaving out xeon1 would add 6 features: clwb clzero/);
    expect(out).toMatch(/AuthenticAMD: epyc1, epyc2 -> base EPYC-Rome-v2/);
    expect(out).toMatch(/^ {2}\[cross-vendor\] Hosts of two vendors/m);
    expect(out).toMatch(/^ {6}advice: Test live migration/m);
  });

  it('wraps to the width, without colors', () => {
    for (const line of out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    // eslint-disable-next-line no-control-regex -- checks that no escape sequence is printed
    expect(out).not.toMatch(/\x1b\[/);
    expect(emit('text', intel)).toMatch(/Gained over kvm64 \(0 features\)\n {2}none/);
  });
});

/**
 * Round trip through each QEMU (the installed 7.2 and 10.0): the emitted -cpu strings, read back by QEMU itself.
 *
 * Under KVM, `query-cpu-model-expansion static` of base + deltas is the guest's feature set, so it
 * must equal result.features exactly (the static expansion does not filter by host support, so this
 * does not depend on the CPU of the test machine).
 *
 * Under TCG, QEMU neither applies its KVM defaults (kvmclock & co., x2apic, vme) nor reports kvm-*
 * paravirtual props even when set. So the TCG check compares with what the same deltas give on the
 * base's accelerator-neutral expansion (catalog `features`, itself checked against QEMU by
 * catalog-qemu.test.ts), minus the kvm-* bits: that still proves every +x/-x was read as meant.
 */
describe.each(qemuOracles)('$label reads the emitted -cpu back as the model', ({ binary }) => {
  let tcg: Session;
  let kvm: Session | undefined;
  beforeAll(async () => {
    tcg = await QmpSession.start({ accel: 'tcg', binary });
    if (haveKvm) kvm = await QmpSession.start({ accel: 'kvm', binary });
  });
  afterAll(async () => {
    await tcg?.close();
    await kvm?.close();
  });

  const isKvmBit = (f: string) => resolveFeature(f)?.vendor === 'kvm';

  /** How PVE builds -cpu from a custom model: its own flags, overridden by equal spellings, sorted by name. */
  const pveCpu = (r: BaselineResult) => {
    const p = Object.fromEntries(
      parseSectionConfig(EMITTERS.pve.emit(r, { pvePart: 'models-conf' }), 'pve')
        .chunks.flatMap((c) => (c.kind === 'section' ? c.props : []))
        .map((x) => [x.key, x.value!]),
    );
    // what qemu-server's get_pve_cpu_flags adds (notes/proxmox.md §4.2), written out independently
    const flags = new Map([
      ['kvm_pv_unhalt', '+'],
      ['kvm_pv_eoi', '+'],
      ...(p['reported-model'] === 'kvm64'
        ? [
            ['lahf_lm', '+'],
            ['sep', '+'],
          ]
        : []),
    ] as Array<[string, string]>);
    for (const f of p.flags?.split(';') ?? []) flags.set(f.slice(1), f[0]);
    const sortedFlags = [...flags].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, s]) => s + k);
    return [p['reported-model'], ...sortedFlags].join(',');
  };

  const strings = (r: BaselineResult): Array<[string, string]> => {
    const incus = EMITTERS.incus.emit(r, {});
    const baseline = /baseline=(\S+)/.exec(incus)![1];
    const incusFlags = /flags=([^']*)'/.exec(incus)![1];
    return [
      [
        'qemu',
        EMITTERS.qemu
          .emit(r)
          .trim()
          .replace(/^-cpu /, ''),
      ],
      ['pve-args', /args: -cpu (\S+)/.exec(EMITTERS['pve-args'].emit(r))![1]],
      ['incus', `${baseline},${incusFlags}`],
      ['pve', pveCpu(r)],
    ];
  };

  for (const r of [mixed, intel, small]) {
    it(`${r.name}: TCG expansion matches the base's neutral features with the deltas`, async () => {
      const base = resolveModel(r.base)!;
      const expected = sorted([...base.features, ...r.plus].filter((f) => !r.minus.includes(f) && !isKvmBit(f)));
      for (const [format, arg] of strings(r)) {
        if (format === 'pve') continue; // PVE's own additions are KVM-only bits; checked under KVM below
        expect(await expandCpuString(tcg, arg), format).toEqual(expected);
      }
      // the TCG view is the KVM guest view less KVM's own additions
      const kvmOnly = new Set(base.kvmFeatures.filter((f) => !base.features.includes(f)));
      expect(expected.filter((f) => !r.features.includes(f))).toEqual([]);
      expect(r.features.filter((f) => !expected.includes(f) && !kvmOnly.has(f) && !isKvmBit(f))).toEqual([]);
    });

    it.skipIf(!haveKvm)(`${r.name}: KVM expansion equals result.features exactly`, async () => {
      for (const [format, arg] of strings(r))
        expect(await expandCpuString(kvm!, arg), `${format}: ${arg}`).toEqual(r.features);
    });
  }

  it.skipIf(!haveKvm)("without PVE's spelling, PVE's +kvm_pv_unhalt would win (the check can fail)", async () => {
    const arg = 'kvm64,-kvm-pv-unhalt,+kvm_pv_unhalt';
    expect(await expandCpuString(kvm!, arg)).toContain('kvm-pv-unhalt');
  });
});
