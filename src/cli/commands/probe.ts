import type { Command } from 'commander';
import type { ProbeOptions } from '../run/probe.js';

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description(
      'profile this host exactly: asks QEMU/KVM (query-cpu-model-expansion of model host) when it can, else reads /proc/cpuinfo',
    )
    .option('-o, --output <file>', 'write the HostProfile JSON to a file')
    .option('--bundle', 'print the raw probe bundle instead of a profile')
    .option('--timeout <seconds>', 'give up after this long', '20')
    .action(async (opts: ProbeOptions) => (await import('../run/probe.js')).runProbe(opts));
}
