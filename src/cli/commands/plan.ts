/**
 * `migratable plan` and `migratable targets VMID`: definitions only (commander and constants); the
 * implementation in ../run/plan.ts is loaded when one of them runs.
 */
import type { Command } from 'commander';
import { sharedOption, addPveApiOptions } from '../options.js';
import { collect } from '../output.js';
import type { PlanOpts } from '../run/plan.js';
import type { TargetsOpts } from '../run/targets.js';

export function clusterInputOptions(cmd: Command): Command {
  return addPveApiOptions(
    cmd
      .argument('[hosts...]', 'host data per node (cpuinfo, profiles, probe bundles...), each named like its node')
      .addOption(sharedOption('--pve-config').default('/etc/pve')),
  )
    .addOption(sharedOption('--cpu-models'))
    .addOption(sharedOption('--inventory'))
    .addOption(sharedOption('--running').argParser(collect))
    .addOption(sharedOption('--stopped').argParser(collect));
}

function withModelOptions(cmd: Command): Command {
  return cmd.addOption(sharedOption('--qemu')).addOption(sharedOption('--allow-tsx'));
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
    .addOption(sharedOption('--format').choices(['text', 'markdown', 'json']).default('text'))
    .addOption(sharedOption('--write-models'))
    .option(
      '--ha-rules <dir>',
      "write HA rules (or groups) that keep each HA VM on nodes where its CPU runs, merged with --pve-config's own, to DIR for `migratable apply-ha DIR`",
    )
    .option(
      '--ha-format <format>',
      'rules (Proxmox VE 9 node-affinity) or groups (Proxmox VE 8); default: what ha/ holds',
    )
    .addOption(sharedOption('--output'))
    .action(async (hosts: string[], opts: PlanOpts) => (await import('../run/plan.js')).runPlan(hosts, opts));

  withModelOptions(
    clusterInputOptions(
      program
        .command('targets')
        .description(
          'the nodes a VM can live-migrate to now, with its current CPU (exit 1 if none); reads only what that VM needs',
        )
        .argument('[vmid]', 'the VM (or --all)'),
    ),
  )
    .option('--all', 'every VM of the cluster, in one run')
    .addOption(sharedOption('--format').choices(['text', 'json', 'precondition']).default('text'))
    .action(async (vmid: string | undefined, hosts: string[], opts: TargetsOpts) =>
      (await import('../run/targets.js')).runTargets(vmid, hosts, opts),
    );
}
