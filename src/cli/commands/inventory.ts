import type { Command } from 'commander';
import { sharedOption } from '../options.js';
import { collect } from '../output.js';
import type { DriftOptions, HostsOptions } from '../run/inventory.js';
import type { PruneInventoryOptions } from '../run/inventory-prune.js';

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

  program
    .command('inventory')
    .description('maintain the inventory itself')
    .command('prune')
    .description(
      "delete snapshots, scan runs and verifications older than --keep-days; each host's newest snapshot, the newest verification per node and model, and every model version's provenance always stay",
    )
    .requiredOption('--keep-days <n>', 'keep everything from the last N days (0: only what always stays)')
    .option(
      '--keep-last <k>',
      'also keep the newest K snapshots per host, verifications per node and model, scan runs',
      '1',
    )
    .addOption(sharedOption('--inventory'))
    .addOption(sharedOption('--dry-run'))
    .option('--vacuum', 'compact the file afterwards (the default unless --dry-run)')
    .option('--no-vacuum', 'leave the freed pages in the file')
    .addOption(sharedOption('--json'))
    .action(async (opts: PruneInventoryOptions) => (await import('../run/inventory-prune.js')).runPruneInventory(opts));
}
