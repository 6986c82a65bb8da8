import type { Command } from 'commander';
import { sharedOption } from '../options.js';
import { collect } from '../output.js';
import type { CheckOptions } from '../run/check.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'will each VM start on each host? a VM x host matrix with the exact missing features and why (--json: one {vm, host, ok, missing, warnings} per cell)',
    )
    .argument('[hosts...]', 'host data files or directories')
    .addOption(sharedOption('--vm').argParser(collect).makeOptionMandatory())
    .addOption(sharedOption('--cpu-models'))
    .addOption(sharedOption('--inventory'))
    .addOption(sharedOption('--kernel'))
    .addOption(sharedOption('--allow-incomplete'))
    .addOption(sharedOption('--no-probe'))
    .addOption(sharedOption('--json'))
    .action(async (hostInputs: string[], opts: CheckOptions) =>
      (await import('../run/check.js')).runCheck(hostInputs, opts),
    );
}
