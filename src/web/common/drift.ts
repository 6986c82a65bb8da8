/** Feature drift per host over time, computed from dated profiles (whatever inventory supplies them). Browser-safe. */
import { featureDrift, type DatedFeatures } from '../../engine/drift.js';
import type { DriftResponse } from './api-types.js';

/** Supplies /api/drift; absent when serve runs without an inventory. */
export type DriftSource = () => DriftResponse | Promise<DriftResponse>;

/** Snapshots oldest first per host; each lists what changed against the one before (the first: everything added). */
export function driftFromSnapshots(rows: DatedFeatures[]): DriftResponse {
  return { hosts: featureDrift(rows) };
}
