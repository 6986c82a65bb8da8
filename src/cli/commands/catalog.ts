import type { Command } from 'commander';
import { sharedOption } from '../options.js';
import type { CatalogListOptions } from '../run/catalog.js';

export function registerCatalogCommands(program: Command): void {
  program
    .command('features')
    .description('list every x86 CPU feature the catalog knows: QEMU name, aliases, Linux name, CPUID bit')
    .addOption(sharedOption('--json'))
    .addOption(sharedOption('--qemu'))
    .action(async (opts: CatalogListOptions) => (await import('../run/catalog.js')).listFeatures(opts));

  program
    .command('models')
    .description('list QEMU x86 CPU models with their versions, vendors and features')
    .addOption(sharedOption('--json'))
    .addOption(sharedOption('--qemu'))
    .option('--host <profile>', 'for one host profile: every model with runnable and missing features')
    .addOption(sharedOption('--kernel'))
    .addOption(sharedOption('--allow-incomplete'))
    .addOption(sharedOption('--no-probe'))
    .action(async (opts: CatalogListOptions & { host?: string; kernel?: string; allowIncomplete?: boolean }) => {
      if (opts.host) return (await import('../run/models-host.js')).runModelsForHost(opts.host, opts);
      (await import('../run/catalog.js')).listModels(opts);
    });
}
