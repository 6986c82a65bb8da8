/**
 * The inventory's share of the metrics: per host its latest profile, what its latest scan lost, its
 * drift events, failed scans and durations, the newest verify verdict; and the newest scan run.
 * Reads feature lists, never every stored profile: a year of hourly scans stays cheap to scrape.
 */
import type { Inventory } from '../fleet/inventory/index.js';
import type { HostFacts, ScanRunFacts, UnprofiledHost } from './facts.js';

export interface InventoryFacts {
  hosts: HostFacts[];
  unprofiled: UnprofiledHost[];
  lastRun: ScanRunFacts | null;
}

export function inventoryFacts(inv: Inventory): InventoryFacts {
  const history = new Map(inv.featureSummary().map((h) => [h.host, h]));
  const stats = new Map(inv.hostScanStats().map((s) => [s.host, s]));
  const verified = new Map<string, NonNullable<HostFacts['verify']>>();
  // newest first: the first one seen per host is its latest
  for (const v of inv.verifications())
    if (!verified.has(v.host)) verified.set(v.host, { outcome: v.outcome, at: v.verifiedAt });
  const hosts: HostFacts[] = inv.latestProfiles().map((profile) => {
    const h = history.get(profile.name);
    const s = stats.get(profile.name);
    const now = new Set(h?.features ?? profile.features);
    return {
      name: profile.name,
      profile,
      scans: {
        snapshots: h?.snapshots ?? 1,
        lastSuccess: h?.latest ?? profile.collectedAt ?? '',
        lost: (h?.previous ?? []).filter((f) => !now.has(f)).sort(),
        driftEvents: h?.changes ?? 0,
        failures: s?.failures ?? 0,
        lastFailure: s?.lastFailure ?? null,
        lastSeconds: s?.lastSeconds ?? null,
      },
      ...(verified.has(profile.name) ? { verify: verified.get(profile.name)! } : {}),
    };
  });
  const named = new Set(hosts.map((h) => h.name));
  const unprofiled = [...stats.values()]
    .filter((s) => !named.has(s.host) && s.failures > 0)
    .map((s) => ({ name: s.host, failures: s.failures, lastFailure: s.lastFailure }));
  return { hosts, unprofiled, lastRun: inv.lastScanRun() };
}
