/** `migratable metrics`: the exposition text, on stdout or written atomically with -o. */
import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { defaultInventoryPath } from '../../fleet/inventory/path.js';
import { writeOutputFile } from '../../fs/output-file.js';
import { renderMetrics } from '../../metrics/collect.js';
import { loadPlanInput, type ClusterInputOptions } from '../../proxmox/plan/inputs.js';
import { readHostInputs } from '../inputs.js';
import { parseQemuVersion } from '../options.js';

export interface MetricsOpts extends Omit<ClusterInputOptions, 'pveConfig'> {
  pveConfig?: string;
  qemu?: string;
  allowTsx?: boolean;
  featureLabels?: boolean;
  output?: string;
}

/** An inventory named with --inventory must exist; the default one is used when it does. */
function inventoryPath(opts: MetricsOpts): string | undefined {
  if (opts.inventory) return opts.inventory;
  const path = defaultInventoryPath();
  return existsSync(path) ? path : undefined;
}

export async function runMetrics(hostInputs: string[], opts: MetricsOpts): Promise<void> {
  const inventory = inventoryPath(opts);
  const qemu = parseQemuVersion(opts.qemu);
  const hosts = hostInputs.length ? await readHostInputs(hostInputs, {}) : [];
  const clustered = opts.pveConfig !== undefined || opts.pve !== undefined;
  if (!inventory && !hosts.length && !clustered)
    throw new InputError(
      'arguments',
      `nothing to measure: no inventory at ${defaultInventoryPath()} (run migratable scan, or give --inventory), no host data, no --pve-config or --pve`,
    );
  // Host data comes from the inventory and the files; the API's own only when neither is there (as plan)
  const cluster = clustered
    ? () => loadPlanInput(hostInputs, { ...opts, inventory, pveConfig: opts.pveConfig ?? '/etc/pve' }, async () => [])
    : undefined;
  const text = await renderMetrics({
    inventory,
    hosts,
    cluster,
    planOptions: { qemu, allowTsx: opts.allowTsx },
    featureLabels: opts.featureLabels,
  });
  if (opts.output && opts.output !== '-') writeOutputFile(opts.output, text);
  else process.stdout.write(text);
}
