/**
 * The check every config emitter runs first. A config that gives guests a feature some host lacks
 * is the worst bug this tool can have, so a result whose parts disagree is refused, not rendered.
 */
import { resolveFeature, resolveModel, type Model } from '../catalog/index.js';
import type { BaselineResult } from '../engine/types.js';
import { parseCpuString } from '../formats/qemu-cpu.js';

export class EmitError extends Error {
  constructor(
    readonly format: string,
    message: string,
  ) {
    super(`--format ${format}: ${message}`);
    this.name = 'EmitError';
  }
}

/** Returns the base model after checking that base, deltas, features and cpu all say the same thing. */
export function checkResult(result: BaselineResult, format: string): Model {
  const fail = (msg: string): never => {
    throw new EmitError(format, msg);
  };
  const model = resolveModel(result.base);
  if (!model) fail(`base model '${result.base}' is not in the catalog`);
  if (model!.abstract) fail(`base '${result.base}' is an abstract Proxmox model, not a QEMU model`);

  for (const [list, names] of [
    ['features', result.features],
    ['plus', result.plus],
    ['minus', result.minus],
  ] as const) {
    for (const n of names) {
      const f = resolveFeature(n);
      if (!f) fail(`${list} has '${n}', which is not a CPU feature QEMU knows`);
      if (f!.name !== n) fail(`${list} has '${n}'; use the canonical name '${f!.name}'`);
    }
  }
  const features = new Set(result.features);
  const notGuest = result.plus.filter((f) => !features.has(f));
  if (notGuest.length) fail(`plus has ${notGuest.join(', ')}, which features does not list`);
  const both = result.minus.filter((f) => features.has(f));
  if (both.length) fail(`minus has ${both.join(', ')}, which features lists as on`);

  // What QEMU gives a KVM guest for base + deltas must be exactly `features`.
  const minus = new Set(result.minus);
  const guest = new Set([...model!.kvmFeatures, ...result.plus].filter((f) => !minus.has(f)));
  const extra = [...guest].filter((f) => !features.has(f));
  if (extra.length)
    fail(`${result.base} with these deltas also gives guests ${extra.join(', ')}, which features does not list`);
  const missing = result.features.filter((f) => !guest.has(f));
  if (missing.length)
    fail(`features lists ${missing.join(', ')}, which ${result.base} with these deltas does not give`);

  const cpu = parseCpuString(result.cpu);
  if (cpu.unknown.length) fail(`cpu '${result.cpu}': ${cpu.unknown.join(', ')} is not a CPU feature QEMU knows`);
  if (resolveModel(cpu.model)?.name !== model!.name)
    fail(`cpu '${result.cpu}' does not start with base ${result.base}`);
  const on = [...cpu.features]
    .filter(([, v]) => v)
    .map(([k]) => k)
    .sort();
  const off = [...cpu.features]
    .filter(([, v]) => !v)
    .map(([k]) => k)
    .sort();
  if (on.join() !== [...result.plus].sort().join() || off.join() !== [...result.minus].sort().join()) {
    fail(`cpu '${result.cpu}' does not match plus/minus`);
  }

  if (
    result.physBits !== null &&
    !(Number.isInteger(result.physBits) && result.physBits >= 32 && result.physBits <= 64)
  ) {
    fail(`physBits ${result.physBits} is not a plausible address width`);
  }
  return model!;
}
