/**
 * The catalog generator's readers on small inline excerpts shaped like the reference files (tests never
 * read /work/shared): each must keep every fact its source states.
 */
import { describe, expect, it } from 'vitest';
import { allFeatures, type Feature } from '../src/catalog/index.js';
import { checkWordCoverage, parseFeatureDependencies } from '../catalog-src/kvm-offer/qemu-offer.js';
import { annotateLinuxFlags, cpuinfoHistory } from '../catalog-src/linux-cpuinfo.js';
import { linuxPrints, type DmiField, type DmiVirtualData, type LinuxFlag } from '../src/catalog/index.js';
import { mergeSnapshots } from '../catalog-src/qemu-releases.js';
import { parseCpuString } from '../src/formats/qemu-cpu.js';
import { psabiStage } from '../catalog-src/stages/psabi.js';
import { kubevirtStage } from '../catalog-src/stages/kubevirt.js';
import { dmiVirtualStage } from '../catalog-src/stages/dmi-virtual.js';
import { linuxSyntheticStage } from '../catalog-src/stages/linux.js';
import { linuxHintsFromBits } from '../src/sources/guest-view.js';

const features = allFeatures() as Feature[];

describe('QEMU feature_dependencies[] reader', () => {
  const excerpt = `/* EXCERPT */
static FeatureDep feature_dependencies[] = {
    {
        .from = { FEAT_1_ECX,               CPUID_EXT_VMX },
        .to = { FEAT_VMX_PROCBASED_CTLS,    ~0ull },
    },
    {
        .from = { FEAT_1_ECX,               CPUID_EXT_VMX },
        .to = { FEAT_VMX_PINBASED_CTLS,     ~0ull },
    },
    {
        .from = { FEAT_1_ECX,               CPUID_EXT_VMX },
        .to = { FEAT_VMX_EXIT_CTLS,         ~0ull },
    },
    {
        .from = { FEAT_1_ECX,               CPUID_EXT_VMX },
        .to = { FEAT_VMX_ENTRY_CTLS,        ~0ull },
    },
    {
        .from = { FEAT_VMX_SECONDARY_CTLS,  VMX_SECONDARY_EXEC_ENABLE_VPID },
        .to = { FEAT_VMX_EPT_VPID_CAPS,     0xffffffffull << 32 },
    },
};`;

  it('keeps the VMX control words, whose bits live in the TRUE_* MSRs (0x48d-0x490)', () => {
    const deps = parseFeatureDependencies(excerpt, features);
    expect(deps).toHaveLength(5);
    const [proc, pin, exit, entry, vpid] = deps;
    for (const d of [proc, pin, exit, entry]) expect(d.from).toEqual(['vmx']);
    expect(proc.to).toContain('vmx-hlt-exit');
    expect(pin.to).toContain('vmx-posted-intr');
    expect(exit.to).toContain('vmx-exit-load-efer');
    expect(entry.to).toContain('vmx-entry-ia32e-mode');
    // each word is exactly the catalog's features in that MSR
    const inMsr = (i: number) => features.filter((f) => f.msr?.index === i).map((f) => f.name);
    expect(proc.to).toEqual(inMsr(0x48e));
    expect(pin.to).toEqual(inMsr(0x48d));
    expect(exit.to).toEqual(inMsr(0x48f));
    expect(entry.to).toEqual(inMsr(0x490));
    expect(vpid).toEqual({ from: ['vmx-vpid'], to: expect.arrayContaining(['vmx-invvpid']) });
    expect(vpid.to.every((n) => n.startsWith('vmx-invvpid'))).toBe(true);
  });

  it('refuses a whole word it cannot place, and a catalog MSR no word covers', () => {
    const unknown = `{ .from = { FEAT_1_ECX, CPUID_EXT_VMX }, .to = { FEAT_VMX_NEW_CTLS, ~0ull }, },`;
    expect(() => parseFeatureDependencies(unknown, features)).toThrow(/FEAT_VMX_NEW_CTLS/);
    const stray = { ...features[0], name: 'vmx-future', msr: { index: 0x4a0, bit: 3 } } as Feature;
    expect(() => checkWordCoverage([...features, stray])).toThrow(/0x4a0.*vmx-future/);
  });
});

describe('Linux cpufeatures.h reader: which releases print a flag', () => {
  // old form (before 6.12): "" hides, no quoted name prints the define's name; new form prints quoted names only
  const h416 = `/* Intel-defined CPU features, CPUID level 0x00000007:0 (EDX), word 18 */
#define X86_FEATURE_SPEC_CTRL		(18*32+26) /* Speculation Control (IBRS + IBPB) */
#define X86_FEATURE_INVPCID_SINGLE	( 7*32+ 7) /* Effectively INVPCID && CR4.PCIDE=1 */
#define X86_FEATURE_FLUSH_L1D		(18*32+28) /* "" Flush L1D cache */`;
  const h419 = `#define X86_FEATURE_SPEC_CTRL		(18*32+26) /* "" Speculation Control (IBRS + IBPB) */
#define X86_FEATURE_INVPCID_SINGLE	( 7*32+ 7) /* Effectively INVPCID && CR4.PCIDE=1 */
#define X86_FEATURE_FLUSH_L1D		(18*32+28) /* Flush L1D cache */
#define X86_FEATURE_AVX_IFMA		(12*32+23) /* "" Support for VPMADD52[H,L]UQ */`;
  const h612 = `#define X86_FEATURE_SPEC_CTRL		(18*32+26) /* Speculation Control (IBRS + IBPB) */
#define X86_FEATURE_FLUSH_L1D		(18*32+28) /* "flush_l1d" Flush L1D cache */
#define X86_FEATURE_AVX_IFMA		(12*32+23) /* Support for VPMADD52[H,L]UQ */`;
  const history = cpuinfoHistory([
    { release: '4.16', cpufeatures: h416 },
    { release: '4.19', cpufeatures: h419 },
    { release: '6.12', cpufeatures: h612 },
  ]);

  it('records when a printed flag is hidden or dropped, and flags hidden from the start', () => {
    expect(history.get('spec_ctrl')).toEqual([{ since: '4.19', shown: false }]);
    expect(history.get('invpcid_single')).toEqual([{ since: '6.12', shown: false }]);
    expect(history.get('flush_l1d')).toEqual([
      { since: '4.16', shown: false },
      { since: '4.19', shown: true },
    ]);
    expect(history.get('avx_ifma')).toEqual([{ since: '4.19', shown: false }]);
  });

  it('annotates the catalog flags and refuses an implied flag the catalog lacks', () => {
    const flag = (name: string): LinuxFlag => ({
      name,
      kind: 'cpuid',
      feature: null,
      falseFriend: null,
      description: '',
    });
    const flags = [flag('spec_ctrl'), flag('3dnowprefetch'), flag('lm'), flag('3dnow')];
    const rule = { vendors: ['AuthenticAMD'], anyOf: ['3dnow', 'lm'], why: 'w', source: 's' };
    annotateLinuxFlags(flags, history, { flags: [{ flag: '3dnowprefetch', ...rule }] });
    expect(flags[0].cpuinfo).toEqual([{ since: '4.19', shown: false }]);
    expect(flags[1].setByKernel).toEqual(rule);
    expect(() => annotateLinuxFlags(flags, history, { flags: [{ flag: 'nope', ...rule }] })).toThrow(/nope/);
    expect(() => annotateLinuxFlags(flags, history, { flags: [{ flag: 'lm', ...rule, anyOf: ['x'] }] })).toThrow(
      /unknown flag x/,
    );
  });

  it('answers per kernel release from the generated steps', () => {
    expect(linuxPrints('spec_ctrl', '4.16.3')).toBe(true);
    expect(linuxPrints('spec_ctrl', '6.1.0-56-amd64')).toBe(false);
    expect(linuxPrints('sse4_1', '6.1.0')).toBe(true);
  });
});

describe("QEMU snapshots: the x86 CPU's options that are no feature", () => {
  const snap = (version: string, properties: Record<string, string>) => ({
    version,
    flags: ['fpu'],
    aliases: {},
    properties,
    physBits: 40,
    definitions: [],
    models: {},
    bits: {},
  });

  it('keeps each option with its type, first release and the release that dropped it', () => {
    const merged = mergeSnapshots([
      snap('7.2.0', { enforce: 'bool', 'kvm-no-smi-migration': 'bool' }),
      snap('10.0.2', { enforce: 'bool', 'guest-phys-bits': 'uint32' }),
    ]);
    expect(merged.cpuProperties).toEqual({
      enforce: { type: 'bool', qemu: '7.2' },
      'kvm-no-smi-migration': { type: 'bool', qemu: '7.2', removed: '10.0' },
      'guest-phys-bits': { type: 'uint32', qemu: '10.0' },
    });
    expect(merged.physBits).toEqual({ '7.2': 40, '10.0': 40 });
    const { properties: _p, ...old } = snap('7.2.0', {});
    expect(() => mergeSnapshots([old])).toThrow(/no CPU properties/);
  });

  it('lets -cpu parsing tell options from features and from names QEMU rejects', () => {
    const p = parseCpuString('Westmere,enforce,+pmu,hv_relaxed,-hv-bogus,+avx2,l3-cache=off,phys-bits=40');
    expect([...p.features]).toEqual([['avx2', true]]);
    expect(Object.fromEntries(p.options)).toEqual({
      enforce: 'on',
      pmu: 'on',
      hv_relaxed: 'on',
      'l3-cache': 'off',
      'phys-bits': '40',
    });
    expect(p.unknown).toEqual(['hv-bogus']);
  });
});

describe('x86-64 psABI levels', () => {
  const table = {
    baselineExtra: ['lm'],
    levels: {
      'x86-64-v1': [
        ['FPU', 'fpu'],
        ['OSFXSR', null],
        ['SSE2', 'sse2'],
      ] as Array<[string, string | null]>,
      'x86-64-v2': [['SSE3', 'pni']] as Array<[string, string | null]>,
    },
  };
  const known = (f: string) => ['lm', 'fpu', 'sse2', 'pni'].includes(f);

  it('names each level in catalog features, dropping the bits that are no CPUID feature', () => {
    const data = psabiStage(table, known);
    expect(data.baseline).toEqual(['lm', 'fpu', 'sse2']);
    expect(data.levels).toEqual({ 'x86-64-v1': ['fpu', 'sse2'], 'x86-64-v2': ['pni'] });
  });

  it('refuses a feature the catalog does not know', () => {
    expect(() => psabiStage({ ...table, levels: { 'x86-64-v1': [['AVX9', 'avx9']] } }, known)).toThrow(/AVX9.*avx9/);
  });
});

describe("Linux's synthetic flags and the raw bits they stand for", () => {
  const table = {
    fromBits: [{ flag: 'ssbd', anyOf: ['amd-ssbd'], families: [{ vendor: 'AuthenticAMD', from: 21, to: 23 }] }],
    toBits: [{ feature: 'invtsc', allOf: ['constant_tsc', 'nonstop_tsc'], vendors: null }],
  };
  const isFlag = (n: string) => ['ssbd', 'constant_tsc', 'nonstop_tsc'].includes(n);
  const isFeature = (n: string) => ['amd-ssbd', 'invtsc'].includes(n);

  it('checks every name against the flags and features the generator knows', () => {
    expect(linuxSyntheticStage(table, isFlag, isFeature)).toMatchObject(table);
    const typo = { ...table, toBits: [{ feature: 'invtsc', allOf: ['constant-tsc'], vendors: null }] };
    expect(() => linuxSyntheticStage(typo, isFlag, isFeature)).toThrow(/unknown flag constant-tsc/);
  });

  it('derives the speculation flags from raw bits as Linux does (generated data)', () => {
    expect(linuxHintsFromBits('GenuineIntel', new Set(['spec-ctrl', 'stibp']), 6).sort()).toEqual([
      'ibpb',
      'ibrs',
      'stibp',
    ]);
    expect(linuxHintsFromBits('AuthenticAMD', new Set(), 0x17)).toEqual(['ssbd']); // LS_CFG
    expect(linuxHintsFromBits('AuthenticAMD', new Set(), 0x19)).toEqual([]);
    expect(linuxHintsFromBits('HygonGenuine', new Set(), 0x18)).toEqual(['ssbd']);
  });
});

describe("KubeVirt's obsolete CPU models", () => {
  const isModel = (n: string) => ['pentiumpro', 'Opteron_G2', 'Opteron_G2-v1'].includes(n);

  it('keeps the list as KubeVirt writes it, -v1 spellings included', () => {
    const file = { obsoleteModels: ['pentiumpro', 'pentiumpro-v1', 'Opteron_G2', 'Opteron_G2-v1'] };
    expect(kubevirtStage(file, isModel).obsoleteModels).toEqual(file.obsoleteModels);
  });

  it('refuses a name that is no model even without its version suffix', () => {
    expect(() => kubevirtStage({ obsoleteModels: ['pentiumpr0'] }, isModel)).toThrow(/pentiumpr0/);
  });
});

describe("systemd's DMI table of virtual machines", () => {
  // shaped like catalog-src/dmi-virtual.json: an excerpt of virt.c's dmi_vendor_table, order kept
  const file = (): Omit<DmiVirtualData, '$comment'> => ({
    source: { file: 'systemd/systemd src/basic/virt.c', commit: 'c7bf6410e8628d91e1ea3673b1ffbb2b78005f03' },
    fields: ['product_name', 'sys_vendor', 'product_version'],
    systemd: [
      { prefix: 'KVM', id: 'kvm', hypervisor: 'KVM' },
      { prefix: 'Amazon EC2', id: 'amazon', hypervisor: 'Amazon EC2', bareMetalProductSuffix: '.metal' },
      { prefix: 'VMware', id: 'vmware', hypervisor: 'VMware' },
      { prefix: 'VMW', id: 'vmware', hypervisor: 'VMware' },
    ],
    additions: [
      {
        all: { sys_vendor: 'Microsoft Corporation', product_name: 'Virtual Machine' },
        hypervisor: 'Microsoft Hyper-V',
        why: 'old Hyper-V',
        source: 'systemd issue #21816',
      },
    ],
  });

  it('keeps the table and its order as systemd writes it', () => {
    const out = dmiVirtualStage(file());
    expect(out.systemd.map((e) => e.prefix)).toEqual(['KVM', 'Amazon EC2', 'VMware', 'VMW']);
    expect(out.fields).toEqual(['product_name', 'sys_vendor', 'product_version']);
    expect(out.additions[0].all).toEqual({ sys_vendor: 'Microsoft Corporation', product_name: 'Virtual Machine' });
    expect(out.$comment).toMatch(/virt\.c/);
  });

  it('refuses an unknown field, an entry an earlier prefix shadows, an uncited addition or commit', () => {
    const f1 = file();
    f1.fields.push('chassis_vendor' as DmiField);
    expect(() => dmiVirtualStage(f1)).toThrow(/chassis_vendor/);
    const f2 = file();
    f2.systemd.push({ prefix: 'KVM Virtual', id: 'kvm', hypervisor: 'KVM' });
    expect(() => dmiVirtualStage(f2)).toThrow(/KVM Virtual can never match/);
    const f3 = file();
    f3.additions[0].source = '';
    expect(() => dmiVirtualStage(f3)).toThrow(/Microsoft Hyper-V needs why and source/);
    const f4 = file();
    f4.additions[0].all = { board_vendor: 'Microsoft Corporation' };
    expect(() => dmiVirtualStage(f4)).toThrow(/unknown field board_vendor/);
    const f5 = file();
    f5.source.commit = 'main';
    expect(() => dmiVirtualStage(f5)).toThrow(/commit/);
  });
});
