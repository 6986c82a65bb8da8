import type { Command } from 'commander';
import { ALLOW_INCOMPLETE_OPTION, KERNEL_OPTION, NO_PROBE_OPTION } from '../options.js';
import type { CatalogListOptions } from '../run/catalog.js';

export function registerCatalogCommands(program: Command): void {
  program
    .command('features')
    .description('list every x86 CPU feature the catalog knows: QEMU name, aliases, Linux name, CPUID bit')
    .option('--json', 'print a JSON array')
    .option('--qemu <version>', 'only features this QEMU version knows')
    .action(async (opts: CatalogListOptions) => (await import('../run/catalog.js')).listFeatures(opts));

  program
    .command('models')
    .description('list QEMU x86 CPU models with their versions, vendors and features')
    .option('--json', 'print a JSON array')
    .option('--qemu <version>', 'only models this QEMU version has')
    .option('--host <profile>', 'for one host profile: every model with runnable and missing features')
    .option(...KERNEL_OPTION)
    .option(...ALLOW_INCOMPLETE_OPTION)
    .option(...NO_PROBE_OPTION)
    .action(async (opts: CatalogListOptions & { host?: string; kernel?: string; allowIncomplete?: boolean }) => {
      if (opts.host) return (await import('../run/models-host.js')).runModelsForHost(opts.host, opts);
      (await import('../run/catalog.js')).listModels(opts);
    });
}
