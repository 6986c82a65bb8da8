/**
 * What kind of host a profile comes from (src/sources/host-kind.ts) and what the project does with it:
 * the warning on VM hosts, the cross-check of this machine's own /proc/cpuinfo against QEMU/KVM here
 * (src/cli/local-crosscheck.ts), and old profiles without the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProfilesFromText } from '../src/sources/index.js';
import { dmiHypervisor, virtualHost, kvmHost, type VirtualHints } from '../src/sources/host-kind.js';
import { computeBaseline } from '../src/engine/baseline.js';
import { rankWarnings } from '../src/engine/warning-rank.js';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';
import { haveKvm } from './helpers/qemu.js';

const fx = (p: string) => join(repoRoot, 'test/fixtures', p);
const PVM = fx('hosts/kvm-pvm-sapphirerapids');
const read = (p: string) => readProfilesFromText(readFileSync(p, 'utf8'), p, 'h');
const example = join(repoRoot, 'examples/field-report-cluster');
const exampleHosts = ['pve-amd1', 'pve-intel1'].flatMap((n) => read(join(example, `${n}.cpuinfo`)));

describe('the hypervisor flag in real dumps', () => {
  it('marks the recorded VMs (kvm_pvm Sapphire Rapids, nested EPYC) and no bare-metal dump', () => {
    for (const f of ['hosts/kvm-pvm-sapphirerapids/root/proc/cpuinfo', 'cpuid/epyc-nested.cpuinfo']) {
      const [p] = read(fx(f));
      expect(p.hostKind, f).toMatchObject({ virtual: true });
      expect(p.notes!.join('\n'), f).toMatch(/itself a virtual machine.*migratable probe/);
    }
    for (const p of exampleHosts) expect(p.hostKind, p.name).toBeUndefined();
  });

  it('lscpu names the outer hypervisor', () => {
    const [p] = read(fx('lscpu/epyc-nested.lscpu.txt'));
    expect(p.hostKind).toMatchObject({ virtual: true, hypervisor: 'KVM' });
  });

  it('DMI alone names a VM; a Microsoft laptop is not one', () => {
    expect(virtualHost([], { dmiVendor: 'QEMU', dmiProduct: 'Standard PC (Q35 + ICH9, 2009)' })).toMatchObject({
      virtual: true,
      hypervisor: 'QEMU',
    });
    expect(virtualHost([], { dmiVendor: 'Microsoft Corporation', dmiProduct: 'Virtual Machine' }).hypervisor).toBe(
      'Microsoft Hyper-V',
    );
    expect(virtualHost([], { dmiVendor: 'Microsoft Corporation', dmiProduct: 'Surface Laptop 5' }).virtual).toBe(false);
    expect(
      virtualHost([], { dmiBiosVendor: 'Microsoft Corporation', dmiProductVersion: 'Hyper-V UEFI Release v4.1' })
        .evidence,
    ).toEqual(['DMI names a virtual machine: product_version Hyper-V UEFI Release v4.1']);
  });

  const dmiName = (hints: VirtualHints) => dmiHypervisor(hints)?.hypervisor ?? null;

  it("DMI follows systemd's virt.c table: fields in its order, first prefix wins, EC2 .metal is bare metal", () => {
    expect(dmiName({ dmiVendor: 'innotek GmbH', dmiProduct: 'VirtualBox' })).toBe('VirtualBox');
    // product_name is read before sys_vendor ("to detect KVM over QEMU")
    expect(dmiName({ dmiVendor: 'QEMU', dmiProduct: 'KVM Virtual Machine' })).toBe('KVM');
    expect(dmiName({ dmiVendor: 'Amazon EC2', dmiProduct: 'm5.large' })).toBe('Amazon EC2');
    expect(dmiName({ dmiVendor: 'Amazon EC2', dmiProduct: 'm5.metal' })).toBeNull();
    expect(dmiName({ dmiProduct: 'VMW-x86_64' })).toBe('VMware');
    // systemd's Hyper-V rule reads product_version; an older Hyper-V says "7.0" there (our cited addition)
    expect(
      dmiName({
        dmiVendor: 'Microsoft Corporation',
        dmiProduct: 'Virtual Machine',
        dmiProductVersion: 'Hyper-V UEFI Release v4.1',
      }),
    ).toBe('Microsoft Hyper-V');
    expect(dmiName({ dmiBiosVendor: 'Microsoft Corporation', dmiProductVersion: 'Hyper-V UEFI Release v4.1' })).toBe(
      'Microsoft Hyper-V',
    );
    expect(
      dmiName({ dmiVendor: 'Microsoft Corporation', dmiProduct: 'Virtual Machine', dmiProductVersion: '7.0' }),
    ).toBe('Microsoft Hyper-V');
    // startswith, case-sensitive, as systemd: a vendor merely mentioning a name is no VM
    expect(dmiName({ dmiVendor: 'Dell Inc.', dmiProduct: 'PowerEdge R650 (not QEMU)' })).toBeNull();
  });

  it('several vendor modules: unclear which serves /dev/kvm, said so', () => {
    const k = kvmHost({ device: true, modules: { kvm: {}, kvm_intel: {}, kvm_pvm: {} } }, ['vmx']);
    expect(k).toMatchObject({ module: null, candidates: ['kvm_intel', 'kvm_pvm'], standard: false });
    expect(k.why).toMatch(/several/);
  });
});

describe('baseline with a VM host', () => {
  it("from its cpuinfo: a warning that breaks the answer, naming the host and advising the probe, with 'leave out' as the fix", () => {
    const [vm] = read(join(PVM, 'root/proc/cpuinfo'));
    const r = computeBaseline([...exampleHosts, { ...vm, name: 'lab-vm' }]);
    const w = rankWarnings(r.warnings).find((x) => x.code === 'virtual-host')!;
    expect(w.severity).toBe('breaks');
    expect(w.message).toMatch(/1 host\(s\) are virtual machines \(lab-vm\)/);
    expect(w.advice).toMatch(/migratable probe/);
    expect(w.hosts).toEqual(['lab-vm']);
    expect(r.warnings.some((x) => x.code === 'nonstandard-kvm')).toBe(false);
  });

  it('from its probe bundle: exact, and a caution naming kvm_pvm instead', () => {
    const [vm] = read(join(PVM, 'probe.bundle'));
    expect(vm.exact).toBe(true);
    const r = computeBaseline([...exampleHosts, vm]);
    expect(r.warnings.some((x) => x.code === 'virtual-host')).toBe(false);
    const w = r.warnings.find((x) => x.code === 'nonstandard-kvm')!;
    expect(w.message).toMatch(/on KVM, kvm_pvm/);
    // the model only has what that KVM offers: pni is not there, so neither is it in the model
    expect(r.features).not.toContain('pni');
  });

  it('the CLI prints it', () => {
    const r = cli(['baseline', example, join(PVM, 'root/proc/cpuinfo')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[virtual-host\] 1 host\(s\) are virtual machines \(cpuinfo\)/);
  });
});

describe("this machine's own /proc/cpuinfo", () => {
  it('--no-probe reads it as it is', () => {
    const r = cli(['profile', '--no-probe', '--json', '/proc/cpuinfo']);
    expect(r.code, r.stderr).toBe(0);
    const [p] = JSON.parse(r.stdout);
    expect(p.exact).toBe(false);
    expect(p.source).toBe('cpuinfo');
  });

  it.skipIf(!haveKvm)(
    "with /dev/kvm and QEMU: checked against a probe, feature by feature, and the probe's answer used",
    () => {
      const r = cli(['profile', '--json', '/proc/cpuinfo']);
      expect(r.code, r.stderr).toBe(0);
      const [p] = JSON.parse(r.stdout);
      expect(p).toMatchObject({ exact: true, source: 'probe', name: 'cpuinfo' });
      expect(p.hostKind.kvm.device).toBe(true);
      const note = p.notes.find((n: string) => n.startsWith('/proc/cpuinfo checked against QEMU'));
      expect(note).toMatch(/the probe's answer is used$/);
      const probe = JSON.parse(cli(['probe']).stdout);
      expect(p.features).toEqual(probe.features);
      // baseline says the difference on stderr when there is one, and builds on the probe's features
      const b = cli(['baseline', '--format', 'json', '/proc/cpuinfo']);
      expect(b.code, b.stderr).toBe(0);
      for (const f of JSON.parse(b.stdout).features) expect(probe.features).toContain(f);
      if (note.includes('KVM does not offer')) expect(b.stderr).toMatch(/checked against QEMU .* KVM does not offer/);
    },
  );

  it.skipIf(haveKvm)('without /dev/kvm: the cpuinfo as it is', () => {
    const [p] = JSON.parse(cli(['profile', '--json', '/proc/cpuinfo']).stdout);
    expect(p.exact).toBe(false);
  });
});

describe('HostProfile JSON from before hostKind', () => {
  it('still reads', () => {
    const [p] = read(join(PVM, 'root/proc/cpuinfo'));
    const { hostKind, ...old } = p;
    expect(hostKind).toBeDefined();
    const [again] = readProfilesFromText(JSON.stringify(old), 'old.json', 'x');
    expect(again.hostKind).toBeUndefined();
    expect(again.features).toEqual(p.features);
  });
});
