import type { Command } from 'commander';
import { ALLOW_INCOMPLETE_OPTION, KERNEL_OPTION, NO_PROBE_OPTION } from '../options.js';
import type { ProfileOptions } from '../run/profile.js';

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('read host CPU data of any supported format and print the normalized host profiles')
    .argument('<inputs...>', 'files, directories, or - for stdin')
    .option('--json', 'print the HostProfile objects as a JSON array')
    .option(...KERNEL_OPTION)
    .option(...ALLOW_INCOMPLETE_OPTION)
    .option(...NO_PROBE_OPTION)
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (inputs: string[], opts: ProfileOptions) =>
      (await import('../run/profile.js')).runProfile(inputs, opts),
    );
}
