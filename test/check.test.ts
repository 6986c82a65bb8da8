import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { checkMatrix } from '../src/engine/check.js';
import { parseCpuModels } from '../src/formats/pve-cpu-models.js';
import { readVmInputs } from '../src/sources/vm/files.js';
import { readVmsFromText } from '../src/sources/vm/index.js';
import { fixtureProfiles } from './helpers/fixtures.js';
import { readProfileInputs } from '../src/sources/files.js';
import { repoRoot } from './helpers/paths.js';

const vmDir = join(repoRoot, 'test/fixtures/vms');
const custom = new Map(
  parseCpuModels(readFileSync(join(vmDir, 'cpu-models.conf'), 'utf8'), 'cpu-models.conf').models.map((m) => [
    m.name,
    m,
  ]),
);
const fixtures = fixtureProfiles();
const pick = (n: string) => ({ ...fixtures.find((p) => p.name === n)!, name: n.split('_')[1] });
const hosts = [
  ...readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]),
  pick('Xeon-E5-2680-v3_haswell'),
  pick('Xeon-E5-2650-v2_ivybridge'),
];
const vms = readVmInputs(
  [
    join(vmDir, 'qemu-server'),
    join(vmDir, 'domain-rome.xml'),
    join(vmDir, 'domain-passthrough.xml'),
    'Westmere,+tsc-deadline,-x2apic',
  ],
  custom,
);
const result = checkMatrix(vms, hosts);
const cell = (vm: string, host: string) => result.cells.find((c) => c.vm.startsWith(vm) && c.host === host)!;
const okRow = (vm: string) => Object.fromEntries(hosts.map((h) => [h.name, cell(vm, h.name).ok]));

describe('check: the VM x host matrix for each Proxmox case', () => {
  it('resolves every VM input kind', () => {
    expect(vms.map((v) => v.name)).toEqual([
      '100 (web1)',
      '101 (db1)',
      '102 (build1)',
      '103 (app1)',
      '104 (fieldreport)',
      '105 (tsxvm)',
      '106 (avxvm)',
      '107 (pcidvm)',
      'libvirt-rome',
      'libvirt-passthrough',
      'Westmere,+tsc-deadline,-x2apic',
    ]);
  });

  it('no cpu: line is kvm64 plus what Proxmox adds (lahf_lm, sep, kvm_pv_unhalt, kvm_pv_eoi)', () => {
    const vm = vms[0];
    expect(vm.model).toBe('kvm64-v1');
    for (const f of ['lahf-lm', 'sep', 'kvm-pv-unhalt', 'kvm-pv-eoi']) expect(vm.features).toContain(f);
    expect(okRow('100')).toEqual({ 'pve-amd1': true, 'pve-intel1': true, haswell: true, ivybridge: true });
    expect(cell('100', 'pve-amd1').warnings.join(' ')).toMatch(/kvm-pv-unhalt/);
  });

  it('x86-64-v2-AES is qemu64 + flags and runs everywhere; its [snapshot] section is ignored', () => {
    expect(vms[1].model).toBe('x86-64-v2-AES');
    expect(vms[1].passthrough).toBe(false);
    expect(Object.values(okRow('101')).every(Boolean)).toBe(true);
  });

  it('host never migrates safely: starts, with a warning', () => {
    expect(vms[2].passthrough).toBe(true);
    expect(cell('102', 'haswell').warnings.join(' ')).toMatch(/identical hosts/);
  });

  it('custom-NAME resolves through cpu-models.conf', () => {
    expect(vms[3].features).toContain('avx2');
    expect(vms[3].features).not.toContain('kvm-pv-unhalt');
    expect(okRow('103')).toEqual({ 'pve-amd1': true, 'pve-intel1': true, haswell: true, ivybridge: false });
    expect(cell('103', 'ivybridge').missing.map((m) => m.feature)).toEqual(['avx2']);
    expect(result.suggestions.find((s) => s.vm.startsWith('103'))!.dropFlags).toEqual(['avx2']);
  });

  it("args: -cpu overrides cpu: (the field report's line)", () => {
    expect(vms[4].cpu.startsWith('kvm64')).toBe(true);
    expect(okRow('104')).toEqual({ 'pve-amd1': true, 'pve-intel1': true, haswell: false, ivybridge: false });
    expect(cell('104', 'haswell').missing.map((m) => m.feature)).toEqual(['3dnowprefetch', 'adx', 'rdseed', 'smap']);
  });

  it('TSX models: refused where microcode removed TSX, and on AMD with the reason', () => {
    expect(okRow('105')).toEqual({ 'pve-amd1': false, 'pve-intel1': true, haswell: false, ivybridge: false });
    const hle = cell('105', 'haswell').missing.find((m) => m.feature === 'hle')!;
    expect(hle.why).toMatch(/TSX/);
    const amd = cell('105', 'pve-amd1').missing.find((m) => m.feature === 'rtm')!;
    expect(amd.why).toMatch(/Intel-only/);
  });

  it('per-VM flags (pcid) on top of a built-in type', () => {
    expect(okRow('107')).toEqual({ 'pve-amd1': false, 'pve-intel1': true, haswell: true, ivybridge: true });
    expect(cell('107', 'pve-amd1').missing).toEqual([{ feature: 'pcid' }]);
  });

  it('libvirt custom and host-passthrough domains', () => {
    expect(vms[8].model).toBe('EPYC-Rome-v1');
    expect(vms[8].features).toContain('ibpb');
    expect(vms[8].features).not.toContain('svm');
    // The example hosts' kernel is unknown: Linux 5.4's kvm_amd never offered XSAVES (svm_xsaves_supported
    // returns false), and EPYC-Rome-v1 has it, so only that bit is missing there
    expect(cell('libvirt-rome', 'pve-amd1').missing.map((m) => m.feature)).toEqual(['xsaves']);
    expect(okRow('libvirt-rome')['pve-intel1']).toBe(false);
    expect(vms[9].passthrough).toBe(true);
  });

  it('a raw -cpu string', () => {
    expect(vms[10].features).toContain('tsc-deadline');
    expect(vms[10].features).not.toContain('x2apic');
    expect(Object.values(okRow('Westmere')).every(Boolean)).toBe(true);
  });

  it('a cpu: qemu-server drops (unknown type, a flag a VM may not set) runs kvm64, with a note saying so', () => {
    for (const value of ['Nosuchmodel', 'kvm64,flags=+nosuchflag', 'host,flags=+avx2']) {
      const [vm] = readVmsFromText(`cpu: ${value}\n`, '900.conf', '900');
      expect(vm.model).toBe(readVmsFromText('cores: 1\n', '901.conf', '901')[0].model);
      expect(vm.cpu).toMatch(/^kvm64,/);
      expect(vm.notes.join()).toMatch(/not valid for qemu-server, which drops it: Proxmox uses kvm64/);
    }
  });

  it('refuses bad VM input with one clear line', () => {
    expect(() => readVmsFromText('cpu: custom-missing\n', '902.conf', '902')).toThrow(/cpu-models.conf/);
    expect(() => readVmsFromText('<domain><cpu mode="custom"/></domain>', 'd.xml', 'd')).toThrow(/model/);
    expect(() =>
      readVmsFromText('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain>&x;</domain>', 'e.xml', 'e'),
    ).toThrow(/DOCTYPE/);
  });
});

describe('check: QEMU versions', () => {
  it('a model newer than the host QEMU is missing there; a 7.2-era model is never claimed missing from older QEMU', () => {
    const old = { ...hosts[0], name: 'old-qemu', qemu: '6.2.0' };
    const mid = { ...hosts[0], name: 'qemu-8.0', qemu: '8.0.2' };
    const r = checkMatrix(
      readVmsFromText('EPYC-Rome-v4', 'arg', 'rome4').concat(readVmsFromText('EPYC-Rome-v1', 'arg', 'rome1')),
      [old, mid],
    );
    const c = (vm: string, host: string) => r.cells.find((x) => x.vm === vm && x.host === host)!;
    expect(c('rome4', 'qemu-8.0').missing[0]).toMatchObject({
      feature: 'model:EPYC-Rome-v4',
      why: expect.stringMatching(/added in QEMU 8.1/),
    });
    expect(c('rome1', 'old-qemu').missing.map((m) => m.feature)).not.toContain('model:EPYC-Rome-v1');
  });
});
