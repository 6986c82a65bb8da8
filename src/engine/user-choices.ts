/**
 * Features the user chooses to leave out of a model (the dashboard's switches, the API's `disabled`).
 * The engine drops them before it picks a base, so its safety checks still decide the model; the
 * x86-64 baseline is guarded because no 64-bit guest boots without it.
 */
import { canonicalFeature, resolveModel } from '../catalog/index.js';

/** LostFeature.reason for a feature every host has that the user switched off. */
export const DISABLED_REASON = 'disabled';

export class DisabledFeatureError extends Error {}

/** Paravirtual bits and the two KVM emulates for every guest may go; the rest of kvm64 is what x86-64 is. */
const NOT_GUARDED = new Set(['x2apic', 'vme']);

let guarded: ReadonlySet<string> | undefined;

/** The features of QEMU's kvm64 (the generic base) a user cannot switch off: lm, fpu, sse2, pni, apic, cx16... */
export function guardedFeatures(): ReadonlySet<string> {
  guarded ??= new Set(
    (resolveModel('kvm64-v1')?.kvmFeatures ?? []).filter(
      (f) => !NOT_GUARDED.has(f) && !f.startsWith('kvm') && f !== 'hypervisor',
    ),
  );
  return guarded;
}

/** Canonical, sorted, unique; an unknown or guarded name is an error rather than silently nothing. */
export function canonicalDisabled(disabled: Iterable<string> | undefined): string[] {
  const out = new Set<string>();
  for (const d of disabled ?? []) {
    const c = canonicalFeature(d);
    if (!c) throw new DisabledFeatureError(`unknown CPU feature ${JSON.stringify(d)}`);
    if (guardedFeatures().has(c))
      throw new DisabledFeatureError(`${c} cannot be left out: every x86-64 guest needs it (part of the kvm64 base)`);
    out.add(c);
  }
  return [...out].sort();
}
