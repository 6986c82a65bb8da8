import { kvm } from '../catalog/index.js';
import type { HostProfile } from '../profile/host-profile.js';

const provided = new Set(kvm.qemuProvided);

/** Features of `wanted` a guest would be refused on this host (QEMU's unavailable-features, offline). */
export function unavailableOn(host: HostProfile, wanted: Iterable<string>): string[] {
  const have = new Set(host.features);
  return [...wanted].filter((f) => !have.has(f) && !provided.has(f));
}
