/**
 * Proxmox's `nested-virt` CPU flag on one host: qemu-server turns it into `svm` on AMD CPUs and
 * `vmx` on Intel CPUs of the host the VM starts on (data/proxmox.json nestedVirt, from qemu-server's
 * CPUConfig.pm and CPUFlags.pm; qemu-server >= 9.0.27).
 */
import { pveNestedVirtFlag } from '../catalog/proxmox.js';
import type { HostProfile } from '../profile/host-profile.js';

/** The feature nested-virt becomes on this host, or null when the host's vendor is unknown. */
export function nestedVirtFeature(host: Pick<HostProfile, 'vendor'>): string | null {
  return pveNestedVirtFlag(host.vendor);
}

/** What the guest requests on this host once nested-virt is resolved. */
export function featuresOnHost(vm: { features: string[]; nestedVirt?: boolean }, host: HostProfile): string[] {
  const f = vm.nestedVirt === undefined ? null : nestedVirtFeature(host);
  if (!f) return vm.features;
  return vm.nestedVirt ? [...new Set([...vm.features, f])].sort() : vm.features.filter((x) => x !== f);
}
