import { kvm } from '../catalog/index.js';
import type { HostProfile } from '../profile/host-profile.js';

const provided = new Set(kvm.qemuProvided);

/** Features of `wanted` a guest would be refused on this host (QEMU's unavailable-features, offline). */
export function unavailableOn(host: HostProfile, wanted: Iterable<string>): string[] {
  return unavailableIn(new Set(host.features), wanted);
}

/** The same for a feature set already built (host groups). */
export function unavailableIn(have: ReadonlySet<string>, wanted: Iterable<string>): string[] {
  return [...wanted].filter((f) => !have.has(f) && !provided.has(f));
}
