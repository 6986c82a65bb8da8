/** What changed on each host between consecutive snapshots. Pure over snapshot lists. */
import type { Snapshot } from './index.js';

export interface DriftStep {
  host: string;
  from: string;
  to: string;
  added: string[];
  removed: string[];
}

export function driftSteps(snapshots: Snapshot[]): DriftStep[] {
  const byHost = new Map<string, Snapshot[]>();
  for (const s of snapshots) (byHost.get(s.host) ?? byHost.set(s.host, []).get(s.host)!).push(s);
  const steps: DriftStep[] = [];
  for (const [host, list] of byHost) {
    for (let i = 1; i < list.length; i++) {
      const before = new Set(list[i - 1].features);
      const after = new Set(list[i].features);
      const added = [...after].filter((f) => !before.has(f)).sort();
      const removed = [...before].filter((f) => !after.has(f)).sort();
      if (added.length || removed.length)
        steps.push({ host, from: list[i - 1].collectedAt, to: list[i].collectedAt, added, removed });
    }
  }
  return steps;
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
