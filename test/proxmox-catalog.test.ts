/**
 * data/proxmox.json (qemu-server's CPU tables per release, from catalog-src/proxmox.json): the flags
 * qemu-server adds by itself under the conditions get_pve_cpu_flags checks, the reported models per
 * release, the built-in types, nested-virt and the VM id format, as qemu-server 7.4-7, 8.4.10 and
 * 9.2.6 have them (commits in the data).
 */
import { describe, expect, it } from 'vitest';
import { resolveModel } from '../src/catalog/index.js';
import { isPveVmid, pveCpuFlags, pveNestedVirtFlag, pveReleases } from '../src/catalog/proxmox.js';
import { pveForcedFlags } from '../src/formats/pve-forced-flags.js';

const flags = (ctx: Parameters<typeof pveCpuFlags>[0]) => pveCpuFlags(ctx).map((f) => `${f.op}${f.flag}`);

describe("qemu-server's own flags (get_pve_cpu_flags)", () => {
  it('come with their reason and the conditions qemu-server checks', () => {
    expect(flags({ cpuType: 'kvm64' })).toEqual(['+lahf_lm', '+sep', '+kvm_pv_unhalt', '+kvm_pv_eoi']);
    expect(flags({ cpuType: 'kvm32' })).toEqual(['+sep', '+kvm_pv_unhalt', '+kvm_pv_eoi']);
    expect(flags({ cpuType: 'Opteron_G3' })).toEqual(['-rdtscp', '+kvm_pv_unhalt', '+kvm_pv_eoi']);
    expect(flags({ cpuType: 'qemu64', kvm: false })).toEqual([]);
    expect(flags({ cpuType: 'qemu64', machine: '2.2' })).toEqual([]);
    expect(flags({ cpuType: 'qemu64', ostype: 'solaris' })).toEqual(['-x2apic', '+kvm_pv_unhalt', '+kvm_pv_eoi']);
    expect(flags({ cpuType: 'qemu64', qemu: '11.0.1', windows: 11 })).toContain('-cet-ibt');
    expect(flags({ cpuType: 'host', qemu: '11.0.1', machine: '10.2' })).toContain('-vmx-mbec');
    expect(flags({ cpuType: 'host', qemu: '11.0.1', machine: '11.0' })).not.toContain('-vmx-mbec');
    for (const f of pveCpuFlags({ cpuType: 'kvm64' })) expect(f.reason).toMatch(/^set by PVE; \S/);
  });

  it("pveForcedFlags names each by PVE's spelling and QEMU's canonical feature", () => {
    expect(pveForcedFlags('kvm64')).toEqual([
      { pveName: 'lahf_lm', feature: 'lahf-lm', on: true },
      { pveName: 'sep', feature: 'sep', on: true },
      { pveName: 'kvm_pv_unhalt', feature: 'kvm-pv-unhalt', on: true },
      { pveName: 'kvm_pv_eoi', feature: 'kvm-pv-eoi', on: true },
    ]);
  });
});

describe('reported models and built-in types', () => {
  it("each release accepts every name of the one before (7.4's list is inside 8's and 9's)", () => {
    const [r7, r8, r9] = pveReleases();
    expect([r7.version, r8.version, r9.version]).toEqual(['7.4', '8.4', '9.2']);
    for (const [older, newer] of [
      [r7, r8],
      [r8, r9],
    ])
      for (const m of Object.keys(older.models).filter((n) => n !== 'host'))
        expect(Object.keys(newer.models), m).toContain(m);
    expect(r9.models['EPYC-Turin']).toBe('AuthenticAMD');
    expect(r7.models.kvm64).toBe('default');
  });

  it('x86-64-v2-AES is qemu64 plus its flags', () => {
    const m = resolveModel('x86-64-v2-AES')!;
    expect(m.abstract).toEqual({ base: 'qemu64-v1', flags: ['aes', 'popcnt', 'pni', 'sse4.1', 'sse4.2', 'ssse3'] });
    expect(m.kvmFeatures).toEqual([...new Set([...resolveModel('qemu64')!.kvmFeatures, ...m.abstract!.flags])].sort());
  });
});

describe('nested-virt and VM ids', () => {
  it('nested-virt is vmx on Intel, svm on AMD and Hygon, unknown elsewhere', () => {
    expect(['GenuineIntel', 'AuthenticAMD', 'HygonGenuine', 'CentaurHauls'].map(pveNestedVirtFlag)).toEqual([
      'vmx',
      'svm',
      'svm',
      null,
    ]);
  });

  it("VM ids are pve-common's pve-vmid: 100 ... 999999999, digits only", () => {
    expect(['100', '101', '999999999'].every(isPveVmid)).toBe(true);
    expect(['99', '0100', '1000000000', '10a', ' 101', ''].some(isPveVmid)).toBe(false);
  });
});
