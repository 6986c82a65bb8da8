import type { Command } from 'commander';
import { collect } from '../output.js';
import type { ApplyOptions, PruneOptions } from '../run/apply.js';
import type { ApplyHaOpts } from '../run/apply-ha.js';

/** Where apply and prune learn which VMs use a model. */
function usesOptions(cmd: Command): Command {
  return cmd
    .option(
      '--pve-config <dir>',
      'a copy of /etc/pve whose VM configs say which models are in use (default: the /etc/pve holding --file)',
    )
    .option('--pve <url>', 'read the VM configs through the Proxmox API instead, e.g. https://pve1:8006')
    .option('--token <token>', "API token 'USER@REALM!ID=SECRET' (prefer --token-file)")
    .option('--token-file <file>', 'file holding the API token')
    .option('--fingerprint <sha256>', "pin the API server's certificate (AA:BB:...)")
    .option('--inventory <db>', "record each version's provenance (hosts, date, version, hash) in this inventory")
    .option('--lock-timeout <seconds>', 'wait this long for another writer to finish, then exit 3', '10');
}

export function registerApply(program: Command): void {
  usesOptions(
    program
      .command('apply')
      .description(
        "write a model into Proxmox's cpu-models.conf: only its own section changes, atomically, with a backup; a section a VM uses is never changed, the model goes in as its next version (NAME-2, NAME-3, ...)",
      )
      .argument('<model>', 'a cpu-models.conf section from `baseline --format pve` (file or - for stdin)')
      .option('--file <path>', 'cpu-models.conf to edit', '/etc/pve/virtual-guest/cpu-models.conf')
      .option('--dry-run', 'print a unified diff and write nothing')
      .option('--in-place', 'replace the section under its own name; refuse (exit 1, nothing written) if a VM uses it')
      .option('--vm <vmid>', 'print the `qm set` line for this VM; repeatable', collect),
  ).action(async (model: string, opts: ApplyOptions) => (await import('../run/apply.js')).runApply(model, opts));

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
      .option('--dry-run', 'print a unified diff per removal and write nothing'),
  ).action(async (names: string[], opts: PruneOptions) => (await import('../run/apply.js')).runPrune(names, opts));

  program
    .command('apply-ha')
    .description(
      "install the HA rules (or groups) `plan --ha-rules DIR` wrote into the cluster's ha/, under the lock Proxmox's HA writers take, atomically, with a backup",
    )
    .argument('<dir>', 'the directory plan --ha-rules wrote')
    .option('--pve-config <dir>', 'the cluster config to change', '/etc/pve')
    .option('--dry-run', 'print a unified diff per file and write nothing')
    .option('--lock-timeout <seconds>', 'wait this long for another writer to finish, then exit 3', '10')
    .action(async (dir: string, opts: ApplyHaOpts) => (await import('../run/apply-ha.js')).runApplyHa(dir, opts));
}
