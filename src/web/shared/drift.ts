/** Feature drift per host over time, computed from dated profiles (whatever inventory supplies them). Browser-safe. */
import type { DriftHost, DriftResponse } from './api-types.js';

export interface DatedFeatures {
  host: string;
  collectedAt: string;
  features: string[];
}

/** Supplies /api/drift; absent when serve runs without an inventory. */
export type DriftSource = () => DriftResponse | Promise<DriftResponse>;

/** Snapshots oldest first per host; each lists what changed against the one before (the first: everything added). */
export function driftFromSnapshots(rows: DatedFeatures[]): DriftResponse {
  const byHost = new Map<string, DatedFeatures[]>();
  for (const r of rows) (byHost.get(r.host) ?? byHost.set(r.host, []).get(r.host)!).push(r);
  const hosts: DriftHost[] = [];
  for (const [name, list] of [...byHost].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.collectedAt.localeCompare(b.collectedAt));
    let prev = new Set<string>();
    const snapshots = list.map((s) => {
      const cur = new Set(s.features);
      const added = [...cur].filter((f) => !prev.has(f)).sort();
      const removed = [...prev].filter((f) => !cur.has(f)).sort();
      prev = cur;
      return { collectedAt: s.collectedAt, added, removed };
    });
    hosts.push({ name, snapshots });
  }
  return { hosts };
}
