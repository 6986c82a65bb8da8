import type { Command } from 'commander';
import { collect } from '../output.js';
import type { ApplyOptions } from '../run/apply.js';

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description(
      "write a model into Proxmox's cpu-models.conf: only its own section changes, atomically, with a backup",
    )
    .argument('<model>', 'a cpu-models.conf section from `baseline --format pve` (file or - for stdin)')
    .option('--file <path>', 'cpu-models.conf to edit', '/etc/pve/virtual-guest/cpu-models.conf')
    .option('--dry-run', 'print a unified diff and write nothing')
    .option('--vm <vmid>', 'print the `qm set` line for this VM; repeatable', collect)
    .option('--lock-timeout <seconds>', 'wait this long for another writer to finish, then exit 3', '10')
    .action(async (model: string, opts: ApplyOptions) => (await import('../run/apply.js')).runApply(model, opts));
}
