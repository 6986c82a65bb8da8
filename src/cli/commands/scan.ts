import type { Command } from 'commander';
import { addSshOptions, sharedOption, addPveApiOptions } from '../options.js';
import type { ScanOpts } from '../run/scan.js';

export function registerScan(program: Command): void {
  const cmd = addPveApiOptions(program.command('scan'))
    .description(
      'profile hosts over SSH (nothing to install on them) or through the Proxmox API, and store the snapshots',
    )
    .argument('[targets...]', '[user@]host[:port] to reach with the system ssh client')
    .option('--targets-file <file>', 'one target per line (# comments)')
    .option('--cluster', 'on a Proxmox node: every cluster member (/etc/pve/.members or corosync.conf)')
    .option('--concurrency <n>', 'hosts at once', '8')
    .addOption(sharedOption('--timeout').default('30'));
  addSshOptions(cmd)
    .addOption(sharedOption('--inventory'))
    .option('--no-store', 'do not write the inventory')
    .option(
      '--verify <model>',
      'also prove MODEL on each SSH node: QEMU there starts it with enforce and boots a tiny guest (a -cpu string, baseline JSON or cpu-models.conf); results go into the inventory',
    )
    .addOption(sharedOption('--section'))
    .option('--verify-accel <accel>', 'with --verify: kvm or tcg (default: kvm where /dev/kvm works on the node)')
    .option('--verify-timeout <seconds>', 'with --verify: limit for each boot', '90')
    .option('--verify-concurrency <n>', 'with --verify: nodes booting at once', '2')
    .addOption(sharedOption('--json'))
    .action(async (args: string[], opts: ScanOpts) => (await import('../run/scan.js')).runScan(args, opts));
}
