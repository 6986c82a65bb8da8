/**
 * "Runs an outdated model version", per VM, in one place. The plan's model versions decide
 * (proxmox/versions/plan-versions.ts): the VM's cpu: names a version of a model family while
 * cpu-models.conf holds a newer one (`older-version`), whether or not that newer one reaches every
 * node of its domain. A VM on a built-in type, on a family's newest version, or whose CPU fits
 * nowhere (`no-fit`: migratable_vm_model_change_needed) is not outdated.
 */
import type { VmVersion } from '../proxmox/versions/plan-versions.js';

export function runsOutdatedModel(
  vmid: number,
  versions: { vms: ReadonlyArray<Pick<VmVersion, 'vmid' | 'status'>> },
): boolean {
  return versions.vms.some((v) => v.vmid === vmid && v.status === 'older-version');
}
