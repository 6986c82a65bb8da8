/** What changed on each host between consecutive snapshots (engine/drift.ts), as steps for `migratable drift`. */
import { featureDrift } from '../../engine/drift.js';
import type { Snapshot } from './index.js';

export interface DriftStep {
  host: string;
  from: string;
  to: string;
  added: string[];
  removed: string[];
}

/** The changes after each host's first snapshot, skipping snapshots that changed nothing. */
export function driftSteps(snapshots: Snapshot[]): DriftStep[] {
  return featureDrift(snapshots).flatMap(({ name, snapshots: list }) =>
    list
      .slice(1)
      .flatMap(({ collectedAt, added, removed }, i) =>
        added.length || removed.length
          ? [{ host: name, from: list[i].collectedAt, to: collectedAt, added, removed }]
          : [],
      ),
  );
}

/** "7d", "12h", "30m" or an ISO date -> ISO timestamp. */
export function parseSince(since: string, now = new Date()): string | null {
  const rel = /^(\d+)([dhm])$/.exec(since);
  if (rel) {
    const ms = Number(rel[1]) * { d: 86400000, h: 3600000, m: 60000 }[rel[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - ms).toISOString();
  }
  const t = Date.parse(since);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
