/**
 * `migratable metrics`: definitions only (commander and constants); the implementation in
 * ../run/metrics.ts is loaded when it runs.
 */
import type { Command } from 'commander';
import { defaultInventoryPath } from '../../fleet/inventory/path.js';
import { collect } from '../output.js';
import type { MetricsOpts } from '../run/metrics.js';

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description(
      "Prometheus metrics from the inventory and, with a cluster config, the plan: hosts, scans, drift, VMs' live targets (-o for node_exporter's textfile collector)",
    )
    .argument('[hosts...]', 'more host data (files, directories), each named like its node; the inventory wins')
    .option('--inventory <db>', `SQLite inventory (default ${defaultInventoryPath()}, when it exists)`)
    .option('--pve-config <dir>', 'a copy of /etc/pve: adds the VM metrics (live targets, models)')
    .option('--pve <url>', 'read the cluster through the Proxmox API instead, e.g. https://pve1:8006')
    .option('--token <token>', "API token 'USER@REALM!ID=SECRET' (prefer --token-file)")
    .option('--token-file <file>', 'file holding the API token')
    .option('--fingerprint <sha256>', "pin the API server's certificate (AA:BB:...)")
    .option('--cpu-models <file>', 'cpu-models.conf to use instead of the one in --pve-config')
    .option('--running <vmids>', 'VMs known to run (comma list); repeatable', collect)
    .option('--stopped <vmids>', 'VMs known to be stopped; repeatable', collect)
    .option('--qemu <version>', 'oldest QEMU in the cluster, as for plan')
    .option('--allow-tsx', 'keep hle/rtm when every host of a domain has them, as for plan')
    .option('--feature-labels', 'also one series per lost feature, named in a label (migratable_host_cpu_feature_lost)')
    .option('-o, --output <file>', 'write the file atomically (node_exporter textfile collector: a .prom file)')
    .action(async (hosts: string[], opts: MetricsOpts) => (await import('../run/metrics.js')).runMetrics(hosts, opts));
}
