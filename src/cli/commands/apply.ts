import type { Command } from 'commander';
import { addOldSpellings, sharedOption, addPveApiOptions } from '../options.js';
import { collect } from '../output.js';
import type { ApplyOptions, PruneOptions } from '../run/apply.js';
import type { ApplyHaOpts } from '../run/apply-ha.js';

/**
 * Where apply and prune learn which VMs use a model: the VM configs of --pve-config (default: the /etc/pve
 * holding --file) or --pve; --inventory records each version's provenance (hosts, date, version, hash).
 */
function usesOptions(cmd: Command): Command {
  return addPveApiOptions(cmd.addOption(sharedOption('--pve-config')))
    .addOption(sharedOption('--inventory'))
    .addOption(sharedOption('--lock-timeout').default('10'));
}

export function registerApply(program: Command): void {
  const apply = usesOptions(
    program
      .command('apply')
      .description(
        "write a model into Proxmox's cpu-models.conf: only its own section changes, atomically, with a backup; a section a VM uses is never changed, the model goes in as its next version (NAME-2, NAME-3, ...)",
      )
      .argument('<model>', 'a cpu-models.conf section from `baseline --format pve` (file or - for stdin)')
      .option('--file <path>', 'cpu-models.conf to edit', '/etc/pve/virtual-guest/cpu-models.conf')
      .addOption(sharedOption('--dry-run'))
      .option('--in-place', 'replace the section under its own name; refuse (exit 1, nothing written) if a VM uses it')
      .option('--vmid <vmid>', 'print the `qm set` line for this VM; repeatable; old spelling --vm', collect),
  );
  addOldSpellings(apply).action(async (model: string, opts: ApplyOptions) =>
    (await import('../run/apply.js')).runApply(model, opts),
  );

  usesOptions(
    program
      .command('prune')
      .description(
        'remove cpu-models.conf sections no VM config, pending change or snapshot uses: the named ones, or every superseded version',
      )
      .argument(
        '[names...]',
        'models to remove (without custom-); default: older versions with a newer one in the file',
      )
      .option('--file <path>', 'cpu-models.conf to edit', '/etc/pve/virtual-guest/cpu-models.conf')
      .addOption(sharedOption('--dry-run')),
  ).action(async (names: string[], opts: PruneOptions) => (await import('../run/apply.js')).runPrune(names, opts));

  program
    .command('apply-ha')
    .description(
      "install the HA rules (or groups) `plan --ha-rules DIR` wrote into the cluster's ha/, under the lock Proxmox's HA writers take, atomically, with a backup",
    )
    .argument('<dir>', 'the directory plan --ha-rules wrote')
    .addOption(sharedOption('--pve-config').default('/etc/pve'))
    .addOption(sharedOption('--dry-run'))
    .addOption(sharedOption('--lock-timeout').default('10'))
    .action(async (dir: string, opts: ApplyHaOpts) => (await import('../run/apply-ha.js')).runApplyHa(dir, opts));
}
