/**
 * Features that stay out of a migratable model even when every host has them, and why.
 * The knowledge is data (data/features.json migration properties, catalog-src/kvm.json); this only applies it.
 */
import { knownIn, kvm, resolveFeature } from '../catalog/index.js';

export type ExclusionReason =
  'blocks-migration' | 'tsx' | 'host-specific' | 'qemu-version' | 'cross-vendor' | 'nested-virt' | 'qemu-dependency';

export interface ExclusionContext {
  crossVendor: boolean;
  allowTsx: boolean;
  /** Oldest QEMU the model must start on */
  qemu: string;
}

export function exclusionReason(feature: string, ctx: ExclusionContext): ExclusionReason | null {
  const f = resolveFeature(feature);
  if (!f) return 'qemu-version';
  if (f.blocksMigration) return 'blocks-migration';
  if (kvm.hostSpecific.includes(f.name)) return 'host-specific';
  if (!ctx.allowTsx && kvm.fragile.includes(f.name)) return 'tsx';
  // Nested virtualization state does not migrate across vendors, and its controls mirror the host exactly
  if (f.nested) return 'nested-virt';
  if (ctx.crossVendor && f.hypercall) return 'cross-vendor';
  if (!knownIn(f.qemu, ctx.qemu)) return 'qemu-version';
  return null;
}
