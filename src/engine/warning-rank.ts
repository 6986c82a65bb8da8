/**
 * Which warnings matter first: what breaks the answer (the model is wrong or cut down until fixed),
 * what needs care when migrating, and what is policy (features left out on purpose, said for information).
 */
import type { Warning, WarningCode } from './types.js';

export type WarningSeverity = 'breaks' | 'caution' | 'policy';

const SEVERITY: Record<WarningCode, WarningSeverity> = {
  // The host data is cut off: the model is cut down to it
  'incomplete-profile': 'breaks',
  // A guest can panic after a move to a host with fewer address bits
  'phys-bits-unknown': 'breaks',
  // A VM's cpuinfo says nothing about what its own KVM offers: the model may not start there
  'virtual-host': 'breaks',
  // Exact, but what the outer hypervisor or a paravirtual module passes down can change under it
  'nonstandard-kvm': 'caution',
  'cross-vendor': 'caution',
  'phys-bits': 'caution',
  'approximate-profile': 'caution',
  'qemu-version': 'caution',
  'qemu-version-unknown': 'caution',
  // Hosts on different QEMU releases: the machine type and the model must suit the oldest
  'qemu-skew': 'caution',
  'kernel-5.15': 'caution',
  mitigations: 'caution',
  'few-hosts': 'caution',
  'host-model': 'caution',
  // Left out on purpose, with the reason: information, not an alarm
  tsx: 'policy',
  invtsc: 'policy',
  'nested-virt': 'policy',
  'kvm-pv-unhalt': 'policy',
  'hypercall-pv': 'policy',
};

const ORDER: WarningSeverity[] = ['breaks', 'caution', 'policy'];

export function warningSeverity(w: Warning): WarningSeverity {
  return SEVERITY[w.code] ?? 'caution';
}

/** Stable within a severity: the engine's own order (most specific first) is kept. */
export function rankWarnings(warnings: Warning[]): Array<Warning & { severity: WarningSeverity }> {
  return warnings
    .map((w, i) => ({ ...w, severity: warningSeverity(w), i }))
    .sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || a.i - b.i)
    .map(({ i: _i, ...w }) => w);
}
