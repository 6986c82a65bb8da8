/** Where one feature stands in the current model, and whether the user may turn it on or off. */
import type { Category, Feature } from '../../catalog/types.js';
import { CATEGORY_ORDER, resolveFeature } from '../../catalog/index.js';

export { CATEGORY_ORDER };
import { shortList } from './dom.js';
import type { Derived, State } from './store.js';
import { DISABLED_REASON, guardedFeatures } from '../../engine/user-choices.js';

/** The engine's exclusion codes in words. */
export const REASON_TEXT: Record<string, string> = {
  tsx: 'TSX (hle/rtm) disappears with microcode updates; tick "Allow TSX" if every host keeps it',
  'blocks-migration': 'QEMU refuses to live-migrate a guest that has it',
  'host-specific': 'host-specific; never belongs in a migratable model',
  'nested-virt': 'nested virtualization controls mirror the host exactly and do not migrate',
  'cross-vendor': 'paravirtual hypercall feature: unsafe when guests move between Intel and AMD',
  'qemu-version': 'the oldest target QEMU does not know it',
  'qemu-dependency': 'QEMU clears it when the feature it depends on is off',
  [DISABLED_REASON]: 'left out by you',
};

/** Why a baseline feature has no switch. */
export const GUARDED_TEXT = 'every x86-64 guest needs it';

export interface FeatureStatus {
  inModel: boolean;
  disabledByUser: boolean;
  /** Selected hosts lacking it */
  missingOn: string[];
  /** Engine exclusion code when every host has it but it still stays out */
  reason: string | null;
  /** The toggle can be flipped */
  toggleable: boolean;
  /** Part of the x86-64 baseline: no switch */
  guarded: boolean;
  /** One line for a label or tooltip */
  summary: string;
}

export function info(feature: string): Feature | undefined {
  return resolveFeature(feature);
}

export function categoryOf(feature: string): Category {
  return resolveFeature(feature)?.category ?? 'other';
}

export function featureStatus(feature: string, s: State, d: Derived): FeatureStatus {
  const model = d.model;
  const inModel = !!model?.features.includes(feature);
  const disabledByUser = s.disabled.has(feature);
  const lost = model?.lost.find((l) => l.feature === feature);
  const missingOn =
    lost?.missingOn ?? (inModel ? [] : d.selectedHosts.filter((h) => !h.features.includes(feature)).map((h) => h.name));
  const reason = lost?.reason && lost.reason !== DISABLED_REASON ? lost.reason : null;
  // Off is always allowed; on only when every selected host has it and nothing but the user keeps it out
  const guarded = guardedFeatures().has(feature);
  const toggleable = !guarded && (inModel || (disabledByUser && missingOn.length === 0 && !reason && !!model));
  let summary: string;
  if (inModel) summary = guarded ? `in the model; ${GUARDED_TEXT}` : 'in the model';
  else if (missingOn.length) summary = `missing on: ${shortList(missingOn)}`;
  else if (disabledByUser) summary = 'left out by you';
  else if (reason) summary = `left out: ${REASON_TEXT[reason] ?? reason}`;
  else summary = 'not offered by the selected hosts';
  return { inModel, disabledByUser, missingOn, reason, toggleable, guarded, summary };
}

/** Turns a feature on or off in the model (only ever through the disabled list the engine sees). */
export function setFeature(s: State, feature: string, on: boolean): void {
  if (on) s.disabled.delete(feature);
  else s.disabled.add(feature);
}
