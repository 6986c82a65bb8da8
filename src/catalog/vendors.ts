/**
 * CPU vendors whose CPUs follow AMD's architecture: AMD itself and Hygon, whose Dhyana/Zen cores are
 * licensed from AMD (SVM rather than VMX, AMD's CPUID leaves and MSRs; Linux treats Hygon like AMD in
 * arch/x86/kernel/cpu/hygon.c, KVM loads kvm_amd on it).
 */
const AMD_LIKE: ReadonlySet<string> = new Set(['AuthenticAMD', 'HygonGenuine']);

/** True for AMD and Hygon CPUs (see above); false for Intel, Centaur/Zhaoxin and unknown vendors. */
export function isAmdLike(vendor: string | null | undefined): boolean {
  return vendor !== null && vendor !== undefined && AMD_LIKE.has(vendor);
}
