/**
 * Re-expresses a result's promise on another base model: consumers (libvirt before 10.10, Proxmox
 * 7.4, Nova before Wallaby) accept only some model names, so the engine's base may not be one of them.
 * The guest gets QEMU's own expansion of the name plus the deltas, so the deltas are computed against
 * QEMU's expansion under KVM, never against the consumer's own definition of the name.
 */
import { OLDEST_KNOWN_QEMU, knownNewerThan, resolveModel, type Model } from '../catalog/index.js';
import { deltas } from '../engine/base-model.js';
import type { BaselineResult } from '../engine/types.js';
import { EmitError, checkResult } from './guard.js';

export interface Retargeted {
  /** The spelling the consumer gets */
  name: string;
  /** The QEMU model that spelling stands for */
  model: Model;
  /** Against QEMU's expansion of `model` under KVM: model + plus - minus = the promise */
  plus: string[];
  minus: string[];
  /**
   * Off explicitly though QEMU does not turn them on for `model`: features the consumer's own
   * definition of the name lists (libvirt checks those against the host before starting), and the
   * result's explicit offs (kvm-pv-unhalt & co.). No-ops for QEMU.
   */
  alsoOff: string[];
}

export interface RetargetRules {
  format: string;
  /** Spellings the consumer accepts, in order of preference on a tie */
  names: Iterable<string>;
  /** Features the consumer's own definition of a name lists (beyond QEMU's), if it has one */
  definition?: (name: string) => readonly string[];
  /** Whether the consumer can turn this feature off */
  canTurnOff: (feature: string) => boolean;
  /** Why no name fits (for the error message) */
  why: string;
}

/** The accepted name needing the fewest deltas whose every off-switch the consumer can express. */
export function retarget(result: BaselineResult, rules: RetargetRules): Retargeted {
  const base = checkResult(result, rules.format);
  const promise = new Set(result.features);
  const qemu = result.qemu ?? OLDEST_KNOWN_QEMU;
  let best: { r: Retargeted; cost: number } | null = null;
  let blocked: string[] = [];
  for (const name of rules.names) {
    const model = resolveModel(name);
    if (!model || !model.verified || model.abstract || model.vendor !== base.vendor) continue;
    if (knownNewerThan(model.qemu, qemu)) continue;
    const { plus, minus } = deltas(model, promise);
    const own = new Set(model.kvmFeatures);
    const explicitOff = result.minus.filter((f) => !own.has(f));
    const defined = (rules.definition?.(name) ?? []).filter((f) => !promise.has(f) && !own.has(f));
    const alsoOff = [...new Set([...defined, ...explicitOff.filter(rules.canTurnOff)])].sort();
    const stuck = [...minus, ...defined].filter((f) => !rules.canTurnOff(f));
    if (stuck.length) {
      if (model.name === base.name || !blocked.length) blocked = stuck;
      continue;
    }
    const cost = plus.length + minus.length + defined.length + (model.name === base.name ? -0.5 : 0);
    if (!best || cost < best.cost) best = { r: { name, model, plus, minus, alsoOff }, cost };
  }
  if (!best)
    throw new EmitError(
      rules.format,
      `no ${rules.why} can express ${result.base} with these deltas: cannot turn off ${blocked.join(', ')}`,
    );
  return best.r;
}
