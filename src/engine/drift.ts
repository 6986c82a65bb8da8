/** Feature drift: what each host gained and lost between its dated snapshots. Pure; the CLI and the dashboard share it. */

export interface DatedFeatures {
  host: string;
  collectedAt: string;
  features: readonly string[];
}

export interface FeatureChange {
  /** ISO 8601 */
  collectedAt: string;
  added: string[];
  removed: string[];
}

export interface HostDrift {
  name: string;
  /** Oldest first; each against the one before it, the first against nothing (everything added) */
  snapshots: FeatureChange[];
}

/** Every host (by name), its snapshots in time order with the features each added and removed. */
export function featureDrift(rows: readonly DatedFeatures[]): HostDrift[] {
  const byHost = new Map<string, DatedFeatures[]>();
  for (const r of rows) (byHost.get(r.host) ?? byHost.set(r.host, []).get(r.host)!).push(r);
  return [...byHost]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => {
      let prev = new Set<string>();
      const snapshots = [...list]
        .sort((a, b) => a.collectedAt.localeCompare(b.collectedAt))
        .map((s) => {
          const cur = new Set(s.features);
          const added = [...cur].filter((f) => !prev.has(f)).sort();
          const removed = [...prev].filter((f) => !cur.has(f)).sort();
          prev = cur;
          return { collectedAt: s.collectedAt, added, removed };
        });
      return { name, snapshots };
    });
}
