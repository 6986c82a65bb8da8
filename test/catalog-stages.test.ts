/**
 * The catalog generator's readers on small inline excerpts shaped like the reference files (tests never
 * read /work/shared): each must keep every fact its source states.
 */
import { describe, expect, it } from 'vitest';
import { allFeatures, type Feature } from '../src/catalog/index.js';
import { checkWordCoverage, parseFeatureDependencies } from '../catalog-src/kvm-offer/qemu-offer.js';

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
