/**
 * The metrics as `metrics` writes them and `serve` answers /metrics: the inventory (opened read-only
 * at each call, so a scan beside a running server shows up at the next scrape), host data given as
 * files, and the plan when a cluster config is given. Node-only.
 */
import { errorLine } from '../errors.js';
import { openInventory } from '../fleet/inventory/index.js';
import type { HostProfile } from '../profile/host-profile.js';
import { computePlan } from '../proxmox/plan/plan.js';
import type { ClusterConfig, PlanOptions } from '../proxmox/plan/types.js';
import { renderExposition } from './exposition.js';
import type { FleetFacts, HostFacts, PlanFacts } from './facts.js';
import { fleetFamilies } from './families.js';
import { inventoryFacts, type InventoryFacts } from './inventory-facts.js';
import { planFacts } from './plan-facts.js';

export type ClusterWithHosts = ClusterConfig & { hosts?: HostProfile[] };

export interface MetricsInputs {
  /** The inventory file; absent: none */
  inventory?: string;
  /** Host data given as files: profiles without scan history (a host the inventory has wins) */
  hosts?: HostProfile[];
  /**
   * The cluster's config as it is now (a copy of /etc/pve, the API); absent: no VM metrics. Host data
   * it brings (the API's) counts for nodes neither the inventory nor the files describe.
   */
  cluster?: () => Promise<ClusterWithHosts> | ClusterWithHosts;
  /**
   * The plan's facts from a plan kept elsewhere, instead of planning `cluster` here: `serve` passes
   * its plan worker's (the dashboard's plan, computed off the event loop), so a scrape never plans
   * on the server's thread. A throw is the plan's error.
   */
  planFacts?: () => Promise<PlanFacts>;
  planOptions?: PlanOptions;
  /** A plan that cannot be made: `throw` (the CLI: exit 2), or `report` it as migratable_plan_success 0 (serve) */
  planErrors?: 'throw' | 'report';
  featureLabels?: boolean;
}

/**
 * What the last computation found, for a server that computes again at every scrape: the inventory's
 * facts while it has not changed (its change stamp), the plan's while its inputs are the same.
 */
export interface MetricsCache {
  inventory?: { stamp: string; facts: InventoryFacts };
  plan?: { key: string; facts: PlanFacts };
}

function readInventory(path: string, cache?: MetricsCache): InventoryFacts {
  const inv = openInventory(path, { readOnly: true });
  try {
    const stamp = `${path}\n${inv.changeStamp()}`;
    if (cache?.inventory?.stamp === stamp) return cache.inventory.facts;
    const facts = inventoryFacts(inv);
    if (cache) cache.inventory = { stamp, facts };
    return facts;
  } finally {
    inv.close();
  }
}

function makePlanFacts(cluster: ClusterWithHosts, hosts: HostProfile[], inputs: MetricsInputs, cache?: MetricsCache) {
  const { hosts: _, ...config } = cluster;
  // The plan is a pure function of these: the same JSON, the same plan
  const key = cache ? JSON.stringify([config, hosts, inputs.planOptions ?? {}]) : '';
  if (cache?.plan?.key === key) return cache.plan.facts;
  const facts = planFacts(cluster, computePlan({ ...cluster, hosts }, inputs.planOptions));
  if (cache) cache.plan = { key, facts };
  return facts;
}

export async function collectFacts(inputs: MetricsInputs, cache?: MetricsCache): Promise<FleetFacts> {
  const facts: FleetFacts = { hosts: [], unprofiled: [], lastRun: null };
  if (inputs.inventory) Object.assign(facts, readInventory(inputs.inventory, cache));
  let cluster: ClusterWithHosts | undefined;
  let planError: unknown;
  try {
    cluster = await inputs.cluster?.();
  } catch (e) {
    planError = e;
  }
  if (inputs.planFacts)
    try {
      facts.plan = await inputs.planFacts();
    } catch (e) {
      planError = e;
    }
  const byName = new Map<string, HostFacts>(facts.hosts.map((h) => [h.name, h]));
  for (const profile of [...(inputs.hosts ?? []), ...(cluster?.hosts ?? [])])
    if (!byName.has(profile.name)) byName.set(profile.name, { name: profile.name, profile });
  facts.hosts = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (cluster && !inputs.planFacts)
    try {
      facts.plan = makePlanFacts(
        cluster,
        facts.hosts.map((h) => h.profile),
        inputs,
        cache,
      );
    } catch (e) {
      planError = e;
    }
  if (planError !== undefined) {
    if (inputs.planErrors !== 'report') throw planError;
    facts.plan = { error: errorLine(planError) };
  }
  return facts;
}

/** The exposition text of everything the inputs say. */
export async function renderMetrics(inputs: MetricsInputs, cache?: MetricsCache): Promise<string> {
  return renderExposition(fleetFamilies(await collectFacts(inputs, cache), { featureLabels: inputs.featureLabels }));
}

/** For serve: the exposition at each call, reusing what has not changed since the last one. */
export function metricsSource(inputs: MetricsInputs): () => Promise<string> {
  const cache: MetricsCache = {};
  return () => renderMetrics(inputs, cache);
}
