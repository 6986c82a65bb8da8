import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hardwareKvmModule } from '../catalog-src/qemu-snapshot.js';
import { kvmUsable } from '../src/qemu/binary.js';
import {
  HYPERCALL_FEATURES,
  NESTED_FEATURES,
  allFeatures,
  allLinuxFlags,
  allModels,
  canonicalFeature,
  kvmOffer,
  linuxFlag,
  resolveModel,
} from '../src/catalog/index.js';
import { FEATURE_BITS, LINUX_FLAG_BITS } from '../src/catalog/bit-index.js';
import { clearBit, hasBit } from '../src/catalog/name-bits.js';
import { fixturesDir } from './helpers/paths.js';
import { reportArgsCpu, reportIntersectionFlags, reportKvm64GuestFlags } from './fixtures/field-report.js';

describe('catalog names', () => {
  it("resolves every flag of the field report's args: line to the right canonical feature", () => {
    const args = reportArgsCpu.split(',');
    expect(args[0]).toBe('kvm64');
    expect(resolveModel('kvm64')?.name).toBe('kvm64-v1');
    const expected: Record<string, string> = {
      lahf_lm: 'lahf-lm',
      'sse4.1': 'sse4.1',
      'sse4.2': 'sse4.2',
      kvm_pv_eoi: 'kvm-pv-eoi',
      pclmulqdq: 'pclmulqdq',
    };
    for (const flag of args.slice(1)) {
      const name = flag.replace(/^[+-]/, '');
      const canon = canonicalFeature(name);
      expect(canon, name).toBeDefined();
      if (expected[name]) expect(canon).toBe(expected[name]);
    }
  });

  it('resolves the Westmere line and Proxmox defaults', () => {
    expect(resolveModel('Westmere')?.name).toBe('Westmere-v1');
    expect(canonicalFeature('tsc-deadline')).toBe('tsc-deadline');
    expect(canonicalFeature('x2apic')).toBe('x2apic');
    expect(canonicalFeature('kvm_pv_unhalt')).toBe('kvm-pv-unhalt');
    expect(canonicalFeature('sep')).toBe('sep');
    expect(canonicalFeature('sse3')).toBe('pni');
    expect(canonicalFeature('sse4_1')).toBe('sse4.1');
    expect(canonicalFeature('pclmuldq')).toBe('pclmulqdq');
    expect(canonicalFeature('nosuchflag')).toBeUndefined();
  });

  it("maps every Linux name in the field report's intersection and kvm64 lists", () => {
    for (const name of [...reportIntersectionFlags, ...reportKvm64GuestFlags]) {
      const l = linuxFlag(name);
      expect(l, name).toBeDefined();
      if (l!.kind === 'cpuid') expect(l!.feature, name).toBeTruthy();
    }
    expect(linuxFlag('pclmulqdq')!.feature).toBe('pclmulqdq');
    expect(linuxFlag('tsc_deadline_timer')!.feature).toBe('tsc-deadline');
    expect(linuxFlag('cr8_legacy')!.feature).toBe('cr8legacy');
    expect(linuxFlag('avx512_vnni')!.feature).toBe('avx512vnni');
    expect(linuxFlag('sha_ni')!.feature).toBe('sha-ni');
    expect(linuxFlag('dts')!.feature).toBe('ds');
    expect(linuxFlag('constant_tsc')!.kind).toBe('synthetic');
  });

  it('keeps the Linux false friends apart from the QEMU bits of the same spelling', () => {
    for (const name of ['ibrs', 'ibpb', 'stibp', 'ssbd']) {
      const l = linuxFlag(name)!;
      expect(l.kind, name).toBe('synthetic');
      expect(l.feature, name).toBeNull();
      expect(l.falseFriend, name).toBe(name);
    }
    const ibrs = allFeatures().find((f) => f.name === 'ibrs')!;
    expect(ibrs.cpuid).toEqual({ leaf: 0x80000008, subleaf: null, register: 'ebx', bit: 14 });
    const stibp = allFeatures().find((f) => f.name === 'stibp')!;
    expect(stibp.cpuid).toEqual({ leaf: 7, subleaf: 0, register: 'edx', bit: 27 });
  });

  it('classifies every flag of every real cpuinfo dump', () => {
    const files = readdirSync(fixturesDir).filter((f) => f.endsWith('.cpuinfo'));
    expect(files.length).toBeGreaterThanOrEqual(23);
    const unmapped: string[] = [];
    for (const file of files) {
      for (const line of readFileSync(join(fixturesDir, file), 'utf8').split('\n')) {
        const m = /^flags\s*:(.*)$/.exec(line);
        if (!m) continue;
        for (const flag of m[1].trim().split(/\s+/)) {
          if (!/^[a-z0-9_.]+$/.test(flag)) continue; // a dump cut mid-word ("con$") is the reader's problem, not a name
          const l = linuxFlag(flag);
          if (!l || (l.kind === 'cpuid' && !l.feature)) unmapped.push(`${file}: ${flag}`);
        }
      }
    }
    expect(unmapped).toEqual([]);
  });

  it('describes every feature with the contract fields', () => {
    for (const f of allFeatures()) {
      expect(typeof f.name).toBe('string');
      expect(Array.isArray(f.aliases)).toBe(true);
      expect(f.linux === null || typeof f.linux === 'string').toBe(true);
      if (f.cpuid) expect(Object.keys(f.cpuid).sort()).toEqual(['bit', 'leaf', 'register', 'subleaf']);
    }
    expect(allLinuxFlags().length).toBeGreaterThan(250);
  });

  it('carries the migration properties from their sources, matched by bit', () => {
    const names = (p: (f: ReturnType<typeof allFeatures>[number]) => unknown) =>
      allFeatures()
        .filter(p)
        .map((f) => f.name);
    // QEMU's feature_word_info[]: only CPUID 0x80000007 EDX[8] is unmigratable
    expect(names((f) => f.blocksMigration)).toEqual(['invtsc']);
    // Linux cpuid.rst/hypercalls.rst: the KVM_FEATURE_* bits whose guest side makes a hypercall
    expect(Object.fromEntries(allFeatures().flatMap((f) => (f.hypercall ? [[f.name, f.hypercall]] : [])))).toEqual({
      'kvm-pv-ipi': 'KVM_HC_SEND_IPI',
      'kvm-pv-sched-yield': 'KVM_HC_SCHED_YIELD',
      'kvm-pv-unhalt': 'KVM_HC_KICK_CPU',
    });
    expect(HYPERCALL_FEATURES).toEqual(['kvm-pv-ipi', 'kvm-pv-sched-yield', 'kvm-pv-unhalt']);
    // vmx, svm and the words QEMU makes depend on them (VMX capability MSRs, CPUID 0x8000000A EDX)
    const nested = new Set(NESTED_FEATURES);
    for (const f of ['vmx', 'svm', 'vmx-ept', 'vmx-eptp-switching', 'vmx-ins-outs', 'npt', 'avic', 'vgif'])
      expect(nested.has(f), f).toBe(true);
    for (const f of ['skinit', 'sgx', 'kvm-pv-tlb-flush', 'hypervisor', 'invtsc']) expect(nested.has(f), f).toBe(false);
    expect(names((f) => f.name.startsWith('vmx-') && !f.nested)).toEqual([]);
  });

  it('has every versioned model up to the newest libvirt knows, with vendors and first QEMU versions', () => {
    const want: Record<string, [string | null, string]> = {
      'EPYC-Rome-v4': ['AuthenticAMD', '8.1'],
      'Cascadelake-Server-v5': ['GenuineIntel', '7.2'],
      'GraniteRapids-v3': ['GenuineIntel', '10.1'],
      'kvm64-v1': [null, '7.2'],
      'x86-64-v2-AES': [null, '7.2'],
      'Dhyana-v2': ['HygonGenuine', '7.2'],
    };
    for (const [name, [vendor, qemu]] of Object.entries(want)) {
      const m = resolveModel(name)!;
      expect(m, name).toBeDefined();
      expect(m.vendor, name).toBe(vendor);
      expect(m.qemu, name).toBe(qemu);
    }
    expect(resolveModel('Broadwell-noTSX-IBRS')!.name).toBe('Broadwell-v4');
    expect(resolveModel('EPYC-Rome')!.name).toBe('EPYC-Rome-v1');
    const v3 = resolveModel('x86-64-v3')!;
    for (const f of ['avx2', 'fma', 'bmi2', 'movbe', 'xsave', 'abm']) expect(v3.features).toContain(f);
    expect(allModels().every((m) => m.features.every((f) => canonicalFeature(f) === f))).toBe(true);
  });
});

describe('feature and flag bits', () => {
  it('give every name the KVM tables mention a position, and round-trip sets of names', () => {
    for (const f of allFeatures()) expect(FEATURE_BITS.of(f.name), f.name).toBeGreaterThanOrEqual(0);
    for (const f of Object.keys(kvmOffer.features)) expect(FEATURE_BITS.of(f), f).toBeGreaterThanOrEqual(0);
    for (const d of kvmOffer.dependencies)
      for (const f of [...d.from, ...d.to]) expect(FEATURE_BITS.of(f), f).toBeGreaterThanOrEqual(0);
    for (const l of allLinuxFlags()) expect(LINUX_FLAG_BITS.of(l.name), l.name).toBeGreaterThanOrEqual(0);
    expect(FEATURE_BITS.of('no-such-feature')).toBe(-1);
    const some = allFeatures()
      .filter((_, i) => i % 7 === 0 || i === allFeatures().length - 1)
      .map((f) => f.name);
    const bits = FEATURE_BITS.from([...some, 'no-such-feature']);
    expect(FEATURE_BITS.toNames(bits).sort()).toEqual([...some].sort());
    clearBit(bits, FEATURE_BITS.of(some[0]));
    expect(hasBit(bits, FEATURE_BITS.of(some[0]))).toBe(false);
    expect(hasBit(bits, FEATURE_BITS.of(some[1]))).toBe(true);
  });
});

describe('gen:catalog --refresh and KVM', () => {
  it('takes KVM expansions only from hardware KVM, never from a paravirtual one (kvm_pvm)', () => {
    const sys = mkdtempSync(join(tmpdir(), 'migratable-sysmodule-'));
    try {
      mkdirSync(join(sys, 'kvm'));
      mkdirSync(join(sys, 'kvm_pvm'));
      expect(hardwareKvmModule(sys)).toBeNull();
      mkdirSync(join(sys, 'kvm_amd'));
      // with hardware KVM loaded, the answer depends only on whether /dev/kvm opens here
      expect(hardwareKvmModule(sys)).toBe(kvmUsable() ? 'kvm_amd' : null);
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });
});
