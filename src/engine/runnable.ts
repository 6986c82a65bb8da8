import offerData from '../../data/kvm-offer.json' with { type: 'json' };
import type { HostProfile } from '../profile/host-profile.js';

/** Bits QEMU's kvm_arch_get_supported_cpuid adds on any KVM host (generated): they never block a start */
const provided = new Set((offerData as unknown as { qemuAdds: string[] }).qemuAdds);

/** Features of `wanted` a guest would be refused on this host (QEMU's unavailable-features, offline). */
export function unavailableOn(host: HostProfile, wanted: Iterable<string>): string[] {
  const have = new Set(host.features);
  return [...wanted].filter((f) => !have.has(f) && !provided.has(f));
}
