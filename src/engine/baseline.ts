/**
 * The product: the richest CPU model every host can run, what it costs, and why.
 * Pure: HostProfiles + catalog in, BaselineResult out. Runs in Node and the browser.
 */
import { HYPERCALL_FEATURES, OLDEST_KNOWN_QEMU, resolveModel } from '../catalog/index.js';
import { compareVersions } from '../version.js';
import type { HostProfile } from '../profile/host-profile.js';
import { richestBuiltinOf } from './builtin-ladder.js';
import { chooseGenericBase, chooseNamedBase, type BaseChoice } from './base-model.js';
import { cpuString } from '../formats/qemu-cpu.js';
import { applyDependencies } from '../catalog/dependencies.js';
import { exclusionReason, type ExclusionContext } from './exclusions.js';
import { hazards } from './hazards.js';
import { commonFeatures, describeHosts, vendorSubset, type HostGroup, type HostSet } from './hosts.js';
import type { BaselineOptions, BaselineResult, BlockerRank, LostFeature, VendorGroupAlternative } from './types.js';
import { canonicalDisabled, DISABLED_REASON } from './user-choices.js';

/** The oldest QEMU this tool knows models for; the default when no profile says more. */
export const DEFAULT_QEMU = OLDEST_KNOWN_QEMU;

export class UnsafeModelError extends Error {}

export function computeBaseline(profiles: HostProfile[], options: BaselineOptions = {}): BaselineResult {
  if (!profiles.length) throw new Error('no host profiles');
  return baselineOf(describeHosts(profiles), options);
}

/** The model itself: the guest features, the base model and its deltas, checked safe. */
interface ModelChoice {
  ctx: Context;
  wanted: string;
  target: Set<string>;
  choice: BaseChoice;
  minus: string[];
  features: string[];
}

function chooseModel(set: HostSet, options: BaselineOptions): ModelChoice {
  const wanted = options.qemu ?? set.oldestQemu ?? DEFAULT_QEMU;
  // The catalog records which names QEMU 7.2 has, not when older releases got them: below 7.2 the
  // filter stays at 7.2 and a warning says so (an unknown name stops the VM at start, never later)
  const qemu = compareVersions(wanted, DEFAULT_QEMU) < 0 ? DEFAULT_QEMU : wanted;
  const ctx: Context = {
    crossVendor: set.crossVendor,
    allowTsx: !!options.allowTsx,
    qemu,
    disabled: new Set(canonicalDisabled(options.disabled)),
  };
  const target = guestFeatures(set, ctx);
  const choice: BaseChoice = set.crossVendor
    ? chooseGenericBase(target)
    : chooseNamedBase(target, set.vendors[0], qemu);
  const minus = [...choice.minus];
  // Proxmox adds +kvm_pv_unhalt to every VM: across vendors the hypercall PV features must be off explicitly
  if (set.crossVendor) for (const f of HYPERCALL_FEATURES) if (!minus.includes(f)) minus.push(f);
  minus.sort();
  const features = [...target].sort();
  assertSafe(set, choice, features, minus);
  return { ctx, wanted, target, choice, minus, features };
}

function baselineOf(set: HostSet, options: BaselineOptions): BaselineResult {
  const { ctx, wanted, target, choice, minus, features } = chooseModel(set, options);
  const qemu = ctx.qemu;
  const name = options.name ?? defaultName(set);
  const kvm64 = new Set(resolveModel('kvm64-v1')!.kvmFeatures);
  return {
    cpu: cpuString(choice.model.name, choice.plus, minus),
    base: choice.model.name,
    features,
    plus: choice.plus,
    minus,
    lost: options.skipExplain ? [] : lostFeatures(set, target, ctx),
    warnings: hazards({
      set,
      features: target,
      qemu,
      wantedQemu: wanted,
      qemuFromProfiles: !!set.oldestQemu || !!options.qemu,
      allowTsx: !!options.allowTsx,
    }),
    hosts: set.names,
    vendors: set.vendors,
    physBits: set.physBits,
    ...(set.physBitsKnown ? {} : { physBitsUnknownOn: set.physBitsChoice.unknownOn }),
    qemu,
    baseReason: choice.reason,
    gainsOverKvm64: features.filter((f) => !kvm64.has(f)),
    blockers: options.skipExplain ? [] : blockerRanking(set, target, ctx),
    alternatives: options.skipExplain || !set.crossVendor ? [] : vendorAlternatives(set, target, options),
    ...(options.skipExplain ? {} : builtinSummary(options.ladder ?? richestBuiltinOf(set, options.qemu ?? null))),
    name,
  };
}

/** The richest built-in type every host runs, and its caveat (the answer first, as vCenter's EVC page does). */
function builtinSummary(
  ladder: NonNullable<BaselineOptions['ladder']>,
): Pick<BaselineResult, 'richestBuiltin' | 'builtinCaveat'> {
  return { richestBuiltin: ladder.richest, builtinCaveat: ladder.caveat };
}

/**
 * Every feature all hosts offer, less what must stay out of a migratable model and what the user left out,
 * less what QEMU itself clears because a feature it depends on is out (so the promise is QEMU's own expansion).
 */
function guestFeatures(set: HostSet, ctx: Context): Set<string> {
  const target = new Set(commonFeatures(set).filter((f) => outReason(f, ctx) === null));
  applyDependencies(target);
  return target;
}

/** The exclusions plus the user's choices: a policy reason wins, since the feature would be out anyway. */
interface Context extends ExclusionContext {
  disabled: ReadonlySet<string>;
}

function outReason(f: string, ctx: Context): string | null {
  return exclusionReason(f, ctx) ?? (ctx.disabled.has(f) ? DISABLED_REASON : null);
}

/** Why a feature every host offers is not in the target: policy, the user, or QEMU's dependency table. */
function lostReason(f: string, target: Set<string>, ctx: Context): string | null {
  return outReason(f, ctx) ?? (!target.has(f) ? 'qemu-dependency' : null);
}

/**
 * The invariant this project exists for: base + deltas is exactly the intended set, and every
 * feature in it is offered by every host. Violations are bugs, never user errors.
 */
function assertSafe(set: HostSet, choice: BaseChoice, features: string[], minus: string[]): void {
  const guest = new Set(choice.model.kvmFeatures);
  for (const f of choice.plus) guest.add(f);
  for (const f of minus) guest.delete(f);
  const want = new Set(features);
  const mismatch = [...guest].filter((f) => !want.has(f)).concat(features.filter((f) => !guest.has(f)));
  if (mismatch.length)
    throw new UnsafeModelError(
      `internal error: model ${choice.model.name} + deltas differs from the target in ${mismatch.join(' ')}`,
    );
  for (const f of guest)
    if (set.counts.get(f) !== set.hosts.length)
      throw new UnsafeModelError(`internal error: ${f} is not offered by every host`);
}

/**
 * Every feature some host offers that the model leaves out, with the hosts lacking it. Features
 * lacking on the same host groups (old CPUs hold back dozens at once) share one list of names, read
 * only: for 100k hosts that is some 5 million names otherwise.
 */
function lostFeatures(set: HostSet, target: Set<string>, ctx: Context): LostFeature[] {
  const { groups } = set;
  const lists = new Map<string, string[]>();
  const out: LostFeature[] = [];
  for (const f of [...set.counts.keys()].sort()) {
    if (target.has(f)) continue;
    const lackingGroups: number[] = [];
    for (let k = 0; k < groups.length; k++) if (!groups[k].features.has(f)) lackingGroups.push(k);
    const key = lackingGroups.join(',');
    let missingOn = lists.get(key);
    if (!missingOn) lists.set(key, (missingOn = hostNames(groups, lackingGroups)));
    // Missing somewhere means out anyway: "disabled" or a dependency only for what every host has
    const reason = missingOn.length ? exclusionReason(f, ctx) : lostReason(f, target, ctx);
    out.push({ feature: f, missingOn, ...(reason ? { reason } : {}) });
  }
  return out;
}

/** The names of the hosts of these groups, in group order, in a list of its final length (index loops: no iterator result per host in code not yet optimized). */
function hostNames(groups: HostGroup[], which: number[]): string[] {
  let n = 0;
  for (const k of which) n += groups[k].hosts.length;
  const names = new Array<string>(n);
  let i = 0;
  for (const k of which) {
    const hosts = groups[k].hosts;
    for (let j = 0; j < hosts.length; j++) names[i++] = hosts[j].name;
  }
  return names;
}

/**
 * Which host holds the cluster back most: features missing on exactly that host come back without it,
 * and leaving out the only host of a vendor makes the cluster single-vendor again.
 */
function blockerRanking(set: HostSet, target: Set<string>, ctx: Context): BlockerRank[] {
  if (set.hosts.length < 2) return [];
  const n = set.hosts.length;
  const byVendor = new Map<string, number>();
  // Per vendor, from the groups (they never mix vendors): not a loop over 100k hosts
  for (const g of set.groups) byVendor.set(g.hosts[0].vendor, (byVendor.get(g.hosts[0].vendor) ?? 0) + g.hosts.length);
  const ranks: BlockerRank[] = [];
  // Only a host with no twin can hold a feature back on its own (a twin would still lack it)
  for (const g of set.groups) {
    if (g.hosts.length !== 1) continue;
    const h = g.hosts[0];
    const soleVendor = set.crossVendor && set.vendors.length === 2 && byVendor.get(h.vendor) === 1;
    const rest: Context = soleVendor ? { ...ctx, crossVendor: false } : ctx;
    const wouldAdd: string[] = [];
    for (const [f, c] of set.counts) {
      if (target.has(f)) continue;
      const everyOther = g.features.has(f) ? c === n : c === n - 1;
      if (everyOther && outReason(f, rest) === null) wouldAdd.push(f);
    }
    if (wouldAdd.length) ranks.push({ host: h.name, wouldAdd: wouldAdd.sort() });
  }
  return ranks.sort((a, b) => b.wouldAdd.length - a.wouldAdd.length || a.host.localeCompare(b.host));
}

/** The field report's other option: one model per vendor (separate HA groups), and what each would gain. */
function vendorAlternatives(set: HostSet, mixed: Set<string>, options: BaselineOptions): VendorGroupAlternative[] {
  return set.vendors.map((vendor) => {
    // Only the model: its warnings and explanations are not part of an alternative
    const subset = vendorSubset(set, vendor);
    const { choice, minus, features } = chooseModel(subset, options);
    return {
      vendor,
      hosts: subset.names,
      cpu: cpuString(choice.model.name, choice.plus, minus),
      base: choice.model.name,
      gains: features.filter((f) => !mixed.has(f)),
    };
  });
}

function defaultName(set: HostSet): string {
  const tag = set.crossVendor
    ? 'mixed'
    : set.vendors[0] === 'GenuineIntel'
      ? 'intel'
      : set.vendors[0] === 'AuthenticAMD'
        ? 'amd'
        : 'cluster';
  return `migratable-${tag}`;
}
