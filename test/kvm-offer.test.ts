/**
 * The generated KVM offer (data/kvm-offer.json) against facts checked by hand in the Linux sources of
 * the reference linux-kvm sources (catalog generator input) (file:line of each release cited).
 */
import { describe, expect, it } from 'vitest';
import { kvmOffer, kvmOfferFor, releaseFor } from '../src/sources/kvm-offer.js';

const offer = (feature: string, release: string, vendor: 'intel' | 'amd') => {
  const o = kvmOffer.features[feature]?.[release];
  if (!o) return undefined;
  return 'any' in o ? o.any : o[vendor];
};

describe('generated KVM offer, per release', () => {
  it('never offers the bits cpuid.c masks out with a comment, in any release', () => {
    // e.g. linux-6.19 cpuid.c:1072-1090 "/* ExtApicSpace */", "/* IBS */", "/* SKINIT, WDT, LWP */"; 4.15 cpuid.c:363 "0 /* Reserved, DCA */"
    for (const r of kvmOffer.releases)
      for (const f of ['dca', 'extapic', 'ibs', 'skinit', 'wdt', 'lwp'])
        for (const v of ['intel', 'amd'] as const) expect(offer(f, r, v), `${f} ${r}`).toEqual([]);
  });

  it('never offers perfctr-nb or tce: not in any mask list', () => {
    for (const r of kvmOffer.releases)
      for (const f of ['perfctr-nb', 'tce']) expect(offer(f, r, 'amd') ?? []).toEqual([]);
  });

  it('pku only with the host kernel flag ospke (5.4 cpuid.c:397, 6.19 cpuid.c:964)', () => {
    for (const r of kvmOffer.releases) expect(offer('pku', r, 'intel')).toEqual([['flag:ospke', 'host']]);
  });

  it('perfctr-core: passthrough until 5.15, then set by kvm_amd only with the PMU (6.1 svm.c:41, 6.19 svm.c enable_pmu)', () => {
    expect(offer('perfctr-core', '5.4', 'amd')).toEqual([['host']]);
    expect(offer('perfctr-core', '6.1', 'intel')).toEqual([]);
    expect(offer('perfctr-core', '6.1', 'amd')).toEqual([['flag:perfctr_core']]);
    expect(offer('perfctr-core', '6.19', 'amd')).toEqual([['flag:perfctr_core', 'host']]);
  });

  it('svm sub-features: none before kvm_amd set them under nested (5.10 svm.c:7-14), nrip-save from 5.10', () => {
    expect(offer('npt', '5.10', 'intel')).toEqual([]);
    expect(offer('npt', '5.10', 'amd')).toEqual([[]]); // if (nested) { if (npt_enabled) set NPT }
    expect(offer('vgif', '6.19', 'amd')).toEqual([]); // vgif: module parameter, not known from cpuinfo
  });

  it('AMX first in 6.1 (cpuid.c kvm_cpu_cap_mask(CPUID_7_EDX, ... F(AMX_TILE)))', () => {
    expect(offer('amx-tile', '5.15', 'intel')).toBeUndefined();
    expect(offer('amx-tile', '6.1', 'intel')).toEqual([['host']]);
  });

  it('CET: shstk/ibt listed from 6.18 but cleared on AMD (svm.c kvm_cpu_cap_clear(IBT)) and gated on VMX controls cpuinfo cannot show', () => {
    expect(offer('cet-ibt', '6.16', 'intel')).toBeUndefined(); // 6.16: not yet in the CPUID_7_EDX list
    expect(offer('cet-ibt', '6.19', 'amd')).toEqual([]); // svm_set_cpu_caps: kvm_cpu_cap_clear(X86_FEATURE_IBT)
    expect(offer('cet-ss', '6.19', 'intel')).toEqual([]); // vmx: cleared unless VMX CET controls (unknown from cpuinfo)
    expect(offer('cet-ss', '6.19', 'amd')).toEqual([['host']]); // X86_64_F(SHSTK), kept by kvm_amd
  });

  it('spec-ctrl on AMD from ibpb+ibrs in 5.4-6.12 (5.4 cpuid.c:401), only with IBPB_RET from 6.14', () => {
    expect(offer('spec-ctrl', '5.4', 'amd')).toEqual([['host'], ['flag:ibpb', 'flag:ibrs']]);
    expect(offer('spec-ctrl', '6.14', 'amd')).toEqual([['host']]);
  });

  it('kvm-pv-sched-yield from 5.4 (cpuid.c:715), not in 4.19', () => {
    expect(offer('kvm-pv-sched-yield', '4.19', 'intel')).toBeUndefined();
    expect(offer('kvm-pv-sched-yield', '5.4', 'intel')).toEqual([[]]);
  });

  it('QEMU adds hypervisor and tsc-deadline on every host; topoext stays the host bit on Intel', () => {
    expect(kvmOffer.qemuAdds).toEqual(expect.arrayContaining(['hypervisor', 'tsc-deadline', 'topoext']));
    expect(offer('topoext', '4.15', 'intel')).toEqual([['host']]);
  });

  it('QEMU feature_dependencies: arch-capabilities gates every ARCH_CAPABILITIES bit', () => {
    const dep = kvmOffer.dependencies.find((d) => d.from.includes('arch-capabilities'))!;
    expect(dep.to).toEqual(expect.arrayContaining(['rdctl-no', 'ibrs-all', 'skip-l1dfl-vmentry', 'mds-no']));
  });

  it('QEMU feature_dependencies: vmx gates every VMX control word (TRUE_* MSRs), and vmx-secondary-ctls the secondary one', () => {
    const gated = (from: string) => kvmOffer.dependencies.filter((d) => d.from.join() === from).flatMap((d) => d.to);
    expect(gated('vmx')).toEqual(
      expect.arrayContaining(['vmx-hlt-exit', 'vmx-posted-intr', 'vmx-exit-load-efer', 'vmx-entry-load-efer']),
    );
    expect(gated('vmx-secondary-ctls')).toEqual(expect.arrayContaining(['vmx-ept', 'vmx-vpid']));
  });

  it('module parameters: the features each one gates, found by re-reading the kernel with it flipped', () => {
    const param = (name: string) => kvmOffer.parameters.find((p) => p.param === name);
    expect(param('nested')).toMatchObject({ modules: ['kvm_intel', 'kvm_amd'], assumed: true });
    expect(param('nested')!.features).toEqual(expect.arrayContaining(['vmx', 'svm', 'npt', 'vmcb-clean']));
    expect(param('nested')!.features).not.toContain('avx2');
    expect(param('enable_pmu')).toMatchObject({ modules: ['kvm'], assumed: true });
    expect(param('enable_pmu')!.features).toEqual(expect.arrayContaining(['pdcm', 'perfctr-core']));
  });

  it('a kernel between releases uses the older one; unknown or too old: none', () => {
    expect(releaseFor('6.6.12-pve')).toBe('6.5');
    expect(releaseFor('5.4.0-150-generic')).toBe('5.4');
    expect(releaseFor('7.1.0')).toBe('6.19');
    expect(releaseFor('3.10.0')).toBeNull();
    expect(releaseFor(null)).toBeNull();
  });

  it('unknown kernel: the intersection from 5.4 on, with held-back bits named', () => {
    const host = {
      vendor: 'GenuineIntel',
      features: new Set(['amx-tile', 'avx2', 'pku']),
      flags: new Set(['amx_tile', 'avx2', 'pku']),
      bugs: [],
      kernel: null,
    };
    const unknown = kvmOfferFor(host);
    expect(unknown.features.has('amx-tile')).toBe(false);
    expect(unknown.heldBack).toContain('amx-tile');
    expect(unknown.features.has('pku')).toBe(false); // no ospke flag
    expect(kvmOfferFor({ ...host, kernel: '6.8.12' }).features.has('amx-tile')).toBe(true);
  });
});
