/**
 * Choosing the named QEMU model the deltas apply to. A named model brings family/model/stepping and
 * cache info; what matters for safety is only that base + deltas equals the intended feature set.
 */
import { allModels, knownIn, resolveModel, type Model } from '../catalog/index.js';

export interface BaseChoice {
  model: Model;
  plus: string[];
  minus: string[];
  reason: string;
}

export function deltas(model: Model, target: Set<string>): { plus: string[]; minus: string[] } {
  const have = new Set(model.kvmFeatures);
  return {
    plus: [...target].filter((f) => !have.has(f)).sort(),
    minus: [...have].filter((f) => !target.has(f)).sort(),
  };
}

const GENERIC = ['kvm64-v1', 'qemu64-v1'];

/**
 * Mixed vendors: a generic model. Under KVM both kvm64 and qemu64 report the host's vendor (a named
 * model would pin one vendor's family/model numbers on the other vendor's hardware), and both are in
 * every QEMU. Pick the one needing fewer deltas; kvm64 on a tie (Proxmox's default reported-model).
 */
export function chooseGenericBase(target: Set<string>): BaseChoice {
  const options = GENERIC.map((n) => resolveModel(n)!).map((m) => ({ model: m, ...deltas(m, target) }));
  options.sort((a, b) => a.plus.length + a.minus.length - (b.plus.length + b.minus.length));
  const best = options[0];
  const other = options[1];
  return {
    ...best,
    reason:
      `hosts of different vendors: a generic base keeps the host's own vendor and family numbers in the guest ` +
      `(a named Intel or AMD model would show one vendor's CPU signature on the other's hardware); ` +
      `${best.model.name} needs ${best.plus.length + best.minus.length} deltas, ${other.model.name} ${other.plus.length + other.minus.length}`,
  };
}

/**
 * One vendor: the QEMU-verified model of that vendor (or generic) every host's QEMU has that needs the
 * fewest deltas; ties go to the model whose own definition covers more of the target (newer CPU signature).
 */
export function chooseNamedBase(target: Set<string>, vendor: string, qemu: string): BaseChoice {
  const candidates = allModels().filter(
    (m) => m.verified && !m.abstract && knownIn(m.qemu, qemu) && (m.vendor === vendor || m.vendor === null),
  );
  let best: (BaseChoice & { cost: number; covered: number }) | null = null;
  for (const model of candidates) {
    const d = deltas(model, target);
    const cost = d.plus.length + d.minus.length;
    const covered = model.kvmFeatures.filter((f) => target.has(f)).length;
    if (!best || cost < best.cost || (cost === best.cost && covered > best.covered)) {
      best = { model, ...d, cost, covered, reason: '' };
    }
  }
  if (!best) throw new Error(`no QEMU ${qemu} model for vendor ${vendor}`);
  return {
    model: best.model,
    plus: best.plus,
    minus: best.minus,
    reason: `all hosts are ${vendor}: ${best.model.name} is the QEMU ${qemu} model closest to what every host offers (${best.cost} deltas; it brings its own CPU signature and cache info)`,
  };
}
