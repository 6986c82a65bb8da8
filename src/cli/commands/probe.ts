import type { Command } from 'commander';
import { sharedOption } from '../options.js';
import type { ProbeOptions } from '../run/probe.js';

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description(
      'profile this host exactly: asks QEMU/KVM (query-cpu-model-expansion of model host) when it can, else reads /proc/cpuinfo',
    )
    .addOption(sharedOption('--output'))
    .option('--bundle', 'print the raw probe bundle instead of a profile')
    .addOption(sharedOption('--timeout').default('20'))
    .action(async (opts: ProbeOptions) => (await import('../run/probe.js')).runProbe(opts));
}
