import type { Command } from 'commander';
import { collect } from '../output.js';
import type { ScanOpts } from '../run/scan.js';
import { inventoryOption } from './inventory.js';

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(
      'profile hosts over SSH (nothing to install on them) or through the Proxmox API, and store the snapshots',
    )
    .argument('[targets...]', '[user@]host[:port] to reach with the system ssh client')
    .option('--targets-file <file>', 'one target per line (# comments)')
    .option('--cluster', 'on a Proxmox node: every cluster member (/etc/pve/.members or corosync.conf)')
    .option('--pve <url>', 'Proxmox API, e.g. https://pve1:8006 (needs --token/--token-file or $MIGRATABLE_PVE_TOKEN)')
    .option(
      '--token <token>',
      "API token 'USER@REALM!ID=SECRET' (prefer --token-file: arguments are visible to other users)",
    )
    .option('--token-file <file>', 'file holding the API token')
    .option(
      '--fingerprint <sha256>',
      "pin the API server's certificate (AA:BB:... as Proxmox shows it) instead of the system CAs",
    )
    .option('--accept-new-host-keys', 'trust SSH host keys seen for the first time (default: strict checking)')
    .option('--concurrency <n>', 'hosts at once', '8')
    .option('--timeout <seconds>', 'per-host limit', '30')
    .option('-i, --identity <file>', 'ssh identity file')
    .option('--known-hosts <file>', 'ssh known_hosts file')
    .option('--ssh-config <file>', 'ssh_config file (ssh -F), or "none" to ignore ~/.ssh/config')
    .option('--ssh-option <Key=Value>', 'extra ssh -o option; repeatable', collect)
    .option(
      '--insecure-host-keys',
      'allow --ssh-option values that turn host-key checking off (StrictHostKeyChecking=no, UserKnownHostsFile=/dev/null)',
    )
    .option('-l, --user <user>', 'login user for targets that name none')
    .option(...inventoryOption)
    .option('--no-store', 'do not write the inventory')
    .option(
      '--verify <model>',
      'also prove MODEL on each SSH node: QEMU there starts it with enforce and boots a tiny guest (a -cpu string, baseline JSON or cpu-models.conf); results go into the inventory',
    )
    .option('--section <name>', 'with --verify: which cpu-model of a cpu-models.conf file')
    .option('--verify-accel <accel>', 'with --verify: kvm or tcg (default: kvm where /dev/kvm works on the node)')
    .option('--verify-timeout <seconds>', 'with --verify: limit for each boot', '90')
    .option('--verify-concurrency <n>', 'with --verify: nodes booting at once', '2')
    .option('--json', 'print the profiles as JSON')
    .action(async (args: string[], opts: ScanOpts) => (await import('../run/scan.js')).runScan(args, opts));
}
