import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import {
  cpuModelProblems,
  parseCpuModels,
  renderCpuModelSection,
  type CpuModelSection,
} from '../src/formats/pve-cpu-models.js';
import { QEMU_SERVER_FIXTURE } from './helpers/pve-samples.js';

describe('parseCpuModels', () => {
  it('types the qemu-server test fixture', () => {
    const { models } = parseCpuModels(QEMU_SERVER_FIXTURE, 'cpu-models.conf');
    expect(models).toEqual([
      {
        name: 'qemu64',
        flags: ['+aes', '+avx', '-kvm_pv_unhalt'],
        reportedModel: 'athlon',
        hvVendorId: 'testvend',
        physBits: 40,
      },
      { name: 'alldefault', flags: [] },
    ]);
  });

  it('reads phys-bits host, hidden, guest-phys-bits and level', () => {
    const text =
      'cpu-model: avx\n    flags +avx;+avx2\n    phys-bits host\n    hidden 0\n    guest-phys-bits 40\n    level 30\n';
    expect(parseCpuModels(text, 'f').models[0]).toEqual({
      name: 'avx',
      flags: ['+avx', '+avx2'],
      physBits: 'host',
      hidden: false,
      guestPhysBits: 40,
      level: 30,
    });
  });

  it.each([
    ['flags +avx;avx2', /line 2: section 'm': flags: invalid flag "avx2"/],
    ['flags +vendor=GenuineIntel', /invalid flag/],
    ['phys-bits 7', /phys-bits: expected 8-64 or 'host'/],
    ['hidden maybe', /hidden: expected 0 or 1/],
    ['hv-vendor-id way-too-long-id', /hv-vendor-id/],
    ['guest-phys-bits 80', /guest-phys-bits: expected 32-64/],
    ['vendor GenuineIntel', /unknown property/],
  ])('rejects "%s" with a line number', (line, re) => {
    expect(() => parseCpuModels(`cpu-model: m\n\t${line}\n`, 'f')).toThrow(re);
    expect(() => parseCpuModels(`cpu-model: m\n\t${line}\n`, 'f')).toThrow(InputError);
  });

  it('rejects other section types', () => {
    expect(() => parseCpuModels('dir: local\n\tpath /var/lib/vz\n', 'f')).toThrow(
      /line 1: unsupported section type 'dir'/,
    );
  });
});

describe('renderCpuModelSection', () => {
  it('writes keys sorted like PVE, booleans as 0/1, ends with a blank line', () => {
    const m: CpuModelSection = {
      name: 'migratable-base',
      flags: ['+aes', '+avx2', '-hle'],
      reportedModel: 'qemu64',
      physBits: 40,
      hidden: false,
      hvVendorId: 'proxmox',
      guestPhysBits: 40,
      level: 13,
    };
    expect(renderCpuModelSection(m)).toBe(
      'cpu-model: migratable-base\n\tflags +aes;+avx2;-hle\n\tguest-phys-bits 40\n\thidden 0\n\thv-vendor-id proxmox\n\tlevel 13\n\tphys-bits 40\n\treported-model qemu64\n\n',
    );
    expect(parseCpuModels(renderCpuModelSection(m), 'f').models[0]).toEqual(m);
  });

  it('omits empty flags', () => {
    expect(renderCpuModelSection({ name: 'bare', flags: [] })).toBe('cpu-model: bare\n\n');
  });

  it.each<[Partial<CpuModelSection>, RegExp]>([
    [{ name: 'A' }, /must match/],
    [{ name: 'x'.repeat(41) }, /must match/],
    [{ name: 'custom-foo' }, /custom-' prefix/],
    [{ flags: ['avx'] }, /flag "avx"/],
    [{ flags: ['+model-id=x'] }, /flag/],
    [{ flags: ['+avx', '-avx'] }, /listed twice/],
    [{ reportedModel: 'x86-64-v3' }, /not allowed/],
    [{ reportedModel: 'custom-foo' }, /not allowed/],
    [{ physBits: 65 }, /phys-bits/],
    [{ guestPhysBits: 31 }, /guest-phys-bits/],
    [{ level: -1 }, /level/],
    [{ hvVendorId: 'a b' }, /hv-vendor-id/],
  ])('refuses %o', (patch, re) => {
    const m = { name: 'ok-name', flags: ['+aes'], ...patch };
    expect(cpuModelProblems(m).join('; ')).toMatch(re);
    expect(() => renderCpuModelSection(m)).toThrow(InputError);
  });

  it('accepts a valid model', () => {
    expect(
      cpuModelProblems({ name: 'mig_2026-a', flags: ['+sse4.2', '-kvm_pv_unhalt'], reportedModel: 'EPYC-Rome' }),
    ).toEqual([]);
  });
});
