/**
 * Hyper-V enlightenments: QEMU's `hv-*` CPU properties (target/i386/cpu.c x86_cpu_properties,
 * DEFINE_PROP_BIT64("hv-...", X86CPU, hyperv_features, HYPERV_FEAT_...)). They give Windows guests
 * paravirtual interfaces; they are not CPUID feature bits of a CPU model, so they never go into a
 * model's feature list. Proxmox adds some for Windows guests itself and lets a VM set hv-tlbflush and
 * hv-evmcs (qemu-server src/PVE/QemuServer/CPUFlags.pm, 9.2.6 e6352be6); its cluster cpu-flags list
 * (PVE 9.2) reports them from a probe VM started with hv-passthrough (QemuServer.pm
 * query_supported_cpu_flags), so they appear there beside real CPU features.
 */
import { booleanCpuProperties } from '../catalog/qemu-cpu.js';

/**
 * The on/off hv-* properties QEMU 7.2-10.0 knows (data/qemu-cpu.json; "hv-apicv" is Proxmox's and
 * QEMU's alias of hv-avic).
 */
export const HYPERV_FLAGS: ReadonlySet<string> = new Set(booleanCpuProperties('hv-'));

/**
 * Enlightenments only an Intel host with VMX can give: the enlightened VMCS is a VMX structure, and
 * KVM implements KVM_CAP_HYPERV_ENLIGHTENED_VMCS in kvm_intel only (arch/x86/kvm/vmx/hyperv.c
 * nested_enable_evmcs; kvm_amd leaves the op unset). Proxmox describes hv-evmcs as "Only supported on
 * Intel CPUs" (CPUFlags.pm). A guest with it cannot start on, or move to, an AMD host.
 */
export const HYPERV_VMX_ONLY: ReadonlySet<string> = new Set(['hv-evmcs']);

export function isHypervFlag(name: string): boolean {
  return HYPERV_FLAGS.has(name.replace(/_/g, '-'));
}

/** The canonical spelling (hv-apicv is hv-avic). */
export function canonicalHypervFlag(name: string): string {
  const n = name.replace(/_/g, '-');
  return n === 'hv-apicv' ? 'hv-avic' : n;
}
