import type { Command } from 'commander';
import { sharedOption } from '../options.js';
import { collect } from '../output.js';
import type { DriftOptions, HostsOptions } from '../run/inventory.js';

export function registerInventory(program: Command): void {
  program
    .command('hosts')
    .description('the latest snapshot of every host in the inventory')
    .addOption(sharedOption('--inventory'))
    .addOption(sharedOption('--json'))
    .action(async (opts: HostsOptions) => (await import('../run/inventory.js')).runHosts(opts));

  program
    .command('drift')
    .description('which hosts gained or lost features between snapshots, and which VMs that breaks')
    .addOption(sharedOption('--inventory'))
    .option('--since <when>', 'only changes from this time on: ISO date or 7d / 12h / 30m')
    .addOption(sharedOption('--vm').argParser(collect))
    .addOption(sharedOption('--cpu-models'))
    .addOption(sharedOption('--json'))
    .action(async (opts: DriftOptions) => (await import('../run/inventory.js')).runDrift(opts));
}
