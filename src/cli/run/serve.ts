/** `migratable serve`: the web dashboard over the given host inputs (or an empty page to add hosts to). */
import { InputError } from '../../errors.js';
import { notice } from '../output.js';
import { readHostInputs } from '../inputs.js';
import { startServer } from '../../web/server/server.js';
import { openInventoryDrift } from '../../web/server/inventory-drift.js';
import { PlanService } from '../../web/server/plan/service.js';
import type { HostProfile } from '../../profile/host-profile.js';

export interface ServeOptions {
  inventory?: string;
  port?: string;
  /** --bind (old spelling --host) */
  bind?: string;
  /** --access-token (old spelling --token) */
  accessToken?: string;
  allowIncomplete?: boolean;
  pveConfig?: string;
  metricsFeatureLabels?: boolean;
}

function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new InputError('--port', `expected a port number 0-65535, got "${v}"`);
  return Number(v);
}

/**
 * GET /metrics: computed at each scrape, the inventory's part reused while unchanged, the plan's
 * taken from the plan worker the dashboard uses (one plan, off the event loop); loaded at the first
 * scrape (better-sqlite3 is a native module the plain dashboard never needs).
 */
function metricsOf(hosts: HostProfile[], opts: ServeOptions, plan: PlanService | undefined): () => Promise<string> {
  let source: Promise<() => Promise<string>> | undefined;
  return async () =>
    (
      await (source ??= import('../../metrics/collect.js').then(({ metricsSource }) =>
        metricsSource({
          inventory: opts.inventory,
          hosts,
          ...(plan ? { planFacts: () => plan.metricsFacts() } : {}),
          planErrors: 'report',
          featureLabels: opts.metricsFeatureLabels,
        }),
      ))
    )();
}

export async function runServe(inputs: string[], opts: ServeOptions): Promise<void> {
  const token = opts.accessToken ?? process.env.MIGRATABLE_TOKEN;
  const hosts = await readHostInputs(inputs, opts);
  const inventory = opts.inventory ? await openInventoryDrift(opts.inventory) : undefined;
  const plan = opts.pveConfig ? new PlanService(opts.pveConfig, [...hosts, ...(inventory?.hosts ?? [])]) : undefined;
  const server = await startServer({
    inputs: [...hosts, ...(inventory?.hosts ?? [])],
    port: opts.port === undefined ? undefined : parsePort(opts.port),
    host: opts.bind,
    token,
    drift: inventory?.drift,
    plan,
    // The drain is computed by the plan's worker, from the plan it keeps
    drain: plan,
    metrics: metricsOf(hosts, opts, plan),
  });
  const open = token ? `${server.url}?token=${encodeURIComponent(token)}` : server.url;
  notice(`migratable: serving ${hosts.length + (inventory?.hosts.length ?? 0)} host(s) at ${open}  (Ctrl-C stops)`);
  const stop = () => {
    // Whatever a client does, we are gone within 5 s of the signal
    setTimeout(() => process.exit(0), 4500).unref();
    void server.close().finally(() => {
      inventory?.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
