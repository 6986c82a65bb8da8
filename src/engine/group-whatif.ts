/**
 * What if a whole CPU-model group left the cluster (retired, or moved to its own HA group)? For each
 * group, the features the model would gain without it; and the model's size as the oldest groups are
 * dropped one after another. Pure; `groupOf` names a host's group (e.g. vendor and model name).
 */
import type { HostProfile } from '../profile/host-profile.js';
import { computeBaseline } from './baseline.js';
import type { BaselineOptions } from './types.js';

export interface GroupWhatIf {
  group: string;
  hosts: string[];
  /** Features the model gains without this group */
  wouldAdd: string[];
}

export interface DropStep {
  /** Groups dropped so far, oldest first */
  dropped: string[];
  /** Hosts left */
  hosts: number;
  /** The model's feature count for the hosts left */
  features: number;
}

export interface GroupWhatIfResult {
  groups: GroupWhatIf[];
  /** Step 0 is every group; then one more of the oldest (fewest features) gone per step, down to one group */
  ladder: DropStep[];
}

function modelFeatures(hosts: HostProfile[], options: BaselineOptions): string[] {
  return computeBaseline(hosts, { ...options, skipExplain: true }).features;
}

/** Groups in order of what they offer, poorest first: the ones an admin retires first. */
function byAge(groups: Map<string, HostProfile[]>): Array<[string, HostProfile[]]> {
  const offered = (hs: HostProfile[]) => Math.min(...hs.map((h) => h.features.length));
  return [...groups].sort(([a, x], [b, y]) => offered(x) - offered(y) || a.localeCompare(b));
}

export function groupWhatIf(
  hosts: HostProfile[],
  groupOf: (h: HostProfile) => string,
  options: BaselineOptions = {},
): GroupWhatIfResult {
  const groups = new Map<string, HostProfile[]>();
  for (const h of hosts) {
    const key = groupOf(h);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(h);
  }
  if (groups.size < 2) return { groups: [], ladder: [] };
  const base = modelFeatures(hosts, options);
  const have = new Set(base);
  const out: GroupWhatIf[] = [];
  for (const [group, members] of groups) {
    const leaving = new Set(members);
    const wouldAdd = modelFeatures(
      hosts.filter((h) => !leaving.has(h)),
      options,
    ).filter((f) => !have.has(f));
    if (wouldAdd.length) out.push({ group, hosts: members.map((h) => h.name), wouldAdd });
  }
  out.sort((a, b) => b.wouldAdd.length - a.wouldAdd.length || a.group.localeCompare(b.group));

  const ladder: DropStep[] = [{ dropped: [], hosts: hosts.length, features: base.length }];
  const ordered = byAge(groups);
  let left = hosts;
  for (const [group, members] of ordered.slice(0, -1)) {
    const leaving = new Set(members);
    left = left.filter((h) => !leaving.has(h));
    const prev = ladder[ladder.length - 1];
    ladder.push({
      dropped: [...prev.dropped, group],
      hosts: left.length,
      features: modelFeatures(left, options).length,
    });
  }
  return { groups: out, ladder };
}
