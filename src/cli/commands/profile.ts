import type { Command } from 'commander';
import { sharedOption } from '../options.js';
import type { ProfileOptions } from '../run/profile.js';

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('read host CPU data of any supported format and print the normalized host profiles')
    .argument('<inputs...>', 'files, directories, or - for stdin')
    .addOption(sharedOption('--json'))
    .addOption(sharedOption('--kernel'))
    .addOption(sharedOption('--allow-incomplete'))
    .addOption(sharedOption('--no-probe'))
    .addOption(sharedOption('--output'))
    .action(async (inputs: string[], opts: ProfileOptions) =>
      (await import('../run/profile.js')).runProfile(inputs, opts),
    );
}
