/**
 * `migratable plan` and `migratable targets VMID`: definitions only (commander and constants); the
 * implementation in ../run/plan.ts is loaded when one of them runs.
 */
import type { Command } from 'commander';
import { collect } from '../output.js';
import type { PlanOpts } from '../run/plan.js';

export type { ClusterInputOptions } from '../../proxmox/plan/inputs.js';

export function clusterInputOptions(cmd: Command): Command {
  return cmd
    .argument('[hosts...]', 'host data per node (cpuinfo, profiles, probe bundles...), each named like its node')
    .option('--pve-config <dir>', 'a copy of /etc/pve (nodes/*/qemu-server, ha/, virtual-guest/)', '/etc/pve')
    .option('--pve <url>', 'read the cluster through the Proxmox API instead, e.g. https://pve1:8006')
    .option('--token <token>', "API token 'USER@REALM!ID=SECRET' (prefer --token-file)")
    .option('--token-file <file>', 'file holding the API token')
    .option('--fingerprint <sha256>', "pin the API server's certificate (AA:BB:...)")
    .option(
      '--cpu-models <file>',
      'cpu-models.conf to use instead of the one in --pve-config (the API has none before PVE 9.2)',
    )
    .option('--inventory <db>', 'host data: the latest scan of every host in this inventory')
    .option('--running <vmids>', 'VMs known to run (comma list; a config copy does not say); repeatable', collect)
    .option('--stopped <vmids>', 'VMs known to be stopped: they switch without a restart; repeatable', collect);
}

function withModelOptions(cmd: Command): Command {
  return cmd
    .option('--qemu <version>', 'oldest QEMU in the cluster (default: what the profiles say, else 7.2)')
    .option('--allow-tsx', 'keep hle/rtm when every host of a domain has them');
}

export function registerPlan(program: Command): void {
  withModelOptions(
    clusterInputOptions(
      program
        .command('plan')
        .description(
          'per VM its migration domain (HA groups/rules), the model for each domain, live targets now, and a rollout order',
        ),
    ),
  )
    .option('-f, --format <format>', 'text, markdown (for a change ticket) or json', 'text')
    .option('--write-models <dir>', 'write each cpu-models.conf section the rollout applies to DIR/NAME.conf')
    .option(
      '--ha-rules <dir>',
      "write HA rules (or groups) that keep each HA VM on nodes where its CPU runs, merged with --pve-config's own, to DIR for `migratable apply-ha DIR`",
    )
    .option(
      '--ha-format <format>',
      'rules (Proxmox VE 9 node-affinity) or groups (Proxmox VE 8); default: what ha/ holds',
    )
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (hosts: string[], opts: PlanOpts) => (await import('../run/plan.js')).runPlan(hosts, opts));

  withModelOptions(
    clusterInputOptions(
      program
        .command('targets')
        .description('the nodes a VM can live-migrate to now, with its current CPU (exit 1 if none)')
        .argument('<vmid>', 'the VM'),
    ),
  )
    .option('-f, --format <format>', 'text (one node per line) or json', 'text')
    .action(async (vmid: string, hosts: string[], opts: PlanOpts) =>
      (await import('../run/plan.js')).runTargets(vmid, hosts, opts),
    );
}
