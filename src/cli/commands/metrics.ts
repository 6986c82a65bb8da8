/**
 * `migratable metrics`: definitions only (commander and constants); the implementation in
 * ../run/metrics.ts is loaded when it runs.
 */
import type { Command } from 'commander';
import { sharedOption, addPveApiOptions } from '../options.js';
import { collect } from '../output.js';
import type { MetricsOpts } from '../run/metrics.js';

export function registerMetrics(program: Command): void {
  addPveApiOptions(program.command('metrics'))
    .description(
      "Prometheus metrics from the inventory and, with a cluster config, the plan: hosts, scans, drift, VMs' live targets (-o for node_exporter's textfile collector)",
    )
    .argument('[hosts...]', 'more host data (files, directories), each named like its node; the inventory wins')
    .addOption(sharedOption('--inventory'))
    .addOption(sharedOption('--pve-config'))
    .addOption(sharedOption('--cpu-models'))
    .addOption(sharedOption('--running').argParser(collect))
    .addOption(sharedOption('--stopped').argParser(collect))
    .addOption(sharedOption('--qemu'))
    .addOption(sharedOption('--allow-tsx'))
    .option('--feature-labels', 'also one series per lost feature, named in a label (migratable_host_cpu_feature_lost)')
    .addOption(sharedOption('--output'))
    .action(async (hosts: string[], opts: MetricsOpts) => (await import('../run/metrics.js')).runMetrics(hosts, opts));
}
