/**
 * The model builder shared by the browser UI and the server API: the chosen hosts and options into the
 * engine, whose own rules (and safety checks) handle the features the user switched off. Browser-safe.
 */
import { computeBaseline } from '../../engine/baseline.js';
import type { BaselineOptions, BaselineResult } from '../../engine/types.js';
import { DisabledFeatureError } from '../../engine/user-choices.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { ModelRequest } from './api-types.js';

export class ModelRequestError extends Error {}

export function selectHosts(all: HostProfile[], names: string[] | undefined): HostProfile[] {
  if (!names) return all;
  const byName = new Map(all.map((h) => [h.name, h]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length) throw new ModelRequestError(`unknown host ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  return names.map((n) => byName.get(n)!);
}

/** computeBaseline over the chosen hosts; switched-off features come back as lost, reason "disabled". */
/** `ladder`: the built-in ladder of the same hosts and QEMU, when the page has computed it for its own panel. */
export function buildModel(all: HostProfile[], req: ModelRequest, ladder?: BaselineOptions['ladder']): BaselineResult {
  const hosts = selectHosts(all, req.hosts);
  if (!hosts.length) throw new ModelRequestError('no hosts selected');
  try {
    return computeBaseline(hosts, {
      allowTsx: !!req.allowTsx,
      ...(req.disabled?.length ? { disabled: req.disabled } : {}),
      ...(req.qemu ? { qemu: req.qemu } : {}),
      ...(req.name ? { name: req.name } : {}),
      ...(ladder ? { ladder } : {}),
    });
  } catch (e) {
    if (e instanceof DisabledFeatureError) throw new ModelRequestError(e.message);
    throw e;
  }
}
