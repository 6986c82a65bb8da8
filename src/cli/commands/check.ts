import type { Command } from 'commander';
import { ALLOW_INCOMPLETE_OPTION, KERNEL_OPTION, NO_PROBE_OPTION } from '../options.js';
import { collect } from '../output.js';
import type { CheckOptions } from '../run/check.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('will each VM start on each host? a VM x host matrix with the exact missing features and why')
    .argument('[hosts...]', 'host data files or directories')
    .requiredOption(
      '--vm <input>',
      'VM config (Proxmox <vmid>.conf or a directory of them, libvirt domain XML, a -cpu string, baseline JSON); repeatable',
      collect,
    )
    .option('--cpu-models <file>', 'Proxmox cpu-models.conf to resolve custom-NAME cpu types')
    .option('--inventory <db>', 'also check against the latest scan of every host in this inventory')
    .option(...KERNEL_OPTION)
    .option(...ALLOW_INCOMPLETE_OPTION)
    .option(...NO_PROBE_OPTION)
    .option('--json', 'per-cell JSON: {vm, host, ok, missing, warnings}')
    .action(async (hostInputs: string[], opts: CheckOptions) =>
      (await import('../run/check.js')).runCheck(hostInputs, opts),
    );
}
