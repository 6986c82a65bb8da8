import type { Command } from 'commander';
import { defaultInventoryPath } from '../../fleet/inventory/path.js';
import { collect } from '../output.js';
import type { DriftOptions, HostsOptions } from '../run/inventory.js';

/** The --inventory option as every fleet command spells it. */
export const inventoryOption = ['--inventory <db>', `SQLite inventory (default ${defaultInventoryPath()})`] as const;

export function registerInventory(program: Command): void {
  program
    .command('hosts')
    .description('the latest snapshot of every host in the inventory')
    .option(...inventoryOption)
    .option('--json', 'print JSON')
    .action(async (opts: HostsOptions) => (await import('../run/inventory.js')).runHosts(opts));

  program
    .command('drift')
    .description('which hosts gained or lost features between snapshots, and which VMs that breaks')
    .option(...inventoryOption)
    .option('--since <when>', 'only changes from this time on: ISO date or 7d / 12h / 30m')
    .option('--vm <input>', 'VM configs to check against the latest snapshots; repeatable', collect)
    .option('--cpu-models <file>', 'Proxmox cpu-models.conf for custom-NAME cpu types')
    .option('--json', 'print JSON')
    .action(async (opts: DriftOptions) => (await import('../run/inventory.js')).runDrift(opts));
}
