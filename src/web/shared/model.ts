/**
 * The model builder's one rule, shared by the browser UI and the server API: a feature the user turns
 * off is removed from every host before the engine runs, so the engine's own safety checks still decide
 * the model (never an edit of an emitted string). Browser-safe.
 */
import { canonicalFeature } from '../../catalog/index.js';
import { computeBaseline } from '../../engine/baseline.js';
import type { BaselineResult } from '../../engine/types.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { ModelRequest } from './api-types.js';

/** Why a feature is out when the user turned it off (LostFeature.reason). */
export const DISABLED_REASON = 'disabled';

export class ModelRequestError extends Error {}

export function selectHosts(all: HostProfile[], names: string[] | undefined): HostProfile[] {
  if (!names) return all;
  const byName = new Map(all.map((h) => [h.name, h]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length) throw new ModelRequestError(`unknown host ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  return names.map((n) => byName.get(n)!);
}

/** Canonical names; an unknown name is an error rather than silently nothing. */
export function canonicalDisabled(disabled: string[] | undefined): string[] {
  const out = new Set<string>();
  for (const d of disabled ?? []) {
    const c = canonicalFeature(d);
    if (!c) throw new ModelRequestError(`unknown CPU feature ${JSON.stringify(d)}`);
    out.add(c);
  }
  return [...out].sort();
}

export function withoutFeatures(hosts: HostProfile[], disabled: string[]): HostProfile[] {
  if (!disabled.length) return hosts;
  const drop = new Set(disabled);
  return hosts.map((h) => ({ ...h, features: h.features.filter((f) => !drop.has(f)) }));
}

/** computeBaseline over the chosen hosts minus the disabled features; those are reported as lost, reason "disabled". */
export function buildModel(all: HostProfile[], req: ModelRequest): BaselineResult {
  const hosts = selectHosts(all, req.hosts);
  if (!hosts.length) throw new ModelRequestError('no hosts selected');
  const disabled = canonicalDisabled(req.disabled);
  const result = computeBaseline(withoutFeatures(hosts, disabled), {
    allowTsx: !!req.allowTsx,
    ...(req.qemu ? { qemu: req.qemu } : {}),
    ...(req.name ? { name: req.name } : {}),
  });
  if (!disabled.length) return result;
  // Only features some chosen host actually has are "lost"; disabling one nobody has changes nothing
  const offered = new Set(hosts.flatMap((h) => h.features));
  const lost = [...result.lost];
  for (const f of disabled) {
    if (!offered.has(f)) continue;
    const missingOn = hosts.filter((h) => !h.features.includes(f)).map((h) => h.name);
    // Missing somewhere means out anyway: say so, as the engine would, rather than "disabled"
    lost.push({ feature: f, missingOn, ...(missingOn.length ? {} : { reason: DISABLED_REASON }) });
  }
  lost.sort((a, b) => a.feature.localeCompare(b.feature));
  return { ...result, lost };
}
