/** What Proxmox VE itself adds to -cpu and which model names it accepts (notes/proxmox.md §3, §4). */
import type { Model } from '../catalog/index.js';

/** True when PVE forces vendor=<model vendor> for this reported-model (all but the generic models). */
export function pveForcesVendor(model: Model): boolean {
  return model.vendor !== null;
}

/**
 * Flags PVE puts on -cpu by itself (get_pve_cpu_flags): on for true, off for false. Custom-model flags
 * override them only when spelled the same way, because PVE merges by the literal flag name; hence the
 * PVE spellings (`kvm_pv_unhalt`, not QEMU's `kvm-pv-unhalt`) as keys.
 */
export function pveForcedFlags(reportedModel: string): Map<string, { feature: string; on: boolean }> {
  const m = new Map<string, { feature: string; on: boolean }>();
  m.set('kvm_pv_unhalt', { feature: 'kvm-pv-unhalt', on: true });
  m.set('kvm_pv_eoi', { feature: 'kvm-pv-eoi', on: true });
  if (reportedModel === 'kvm64') m.set('lahf_lm', { feature: 'lahf-lm', on: true });
  if (reportedModel === 'kvm64' || reportedModel === 'kvm32') m.set('sep', { feature: 'sep', on: true });
  if (reportedModel.startsWith('Opteron')) m.set('rdtscp', { feature: 'rdtscp', on: false });
  return m;
}
