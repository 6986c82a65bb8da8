import type { Command } from 'commander';
import { collect } from '../output.js';
import type { VerifyCliOptions } from '../run/verify.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('boot a tiny Linux guest with the model (and enforce) and compare what it sees with the promise')
    .argument('<model>', 'a -cpu string, a `baseline --format json` file, or a cpu-models.conf file')
    .option('--accel <accel>', 'kvm or tcg (default: kvm when /dev/kvm works)')
    .option('--kernel <path>', 'guest kernel (default: the newest /boot/vmlinuz-*)')
    .option('--section <name>', 'which cpu-model of a cpu-models.conf file')
    .option('--timeout <seconds>', 'hard limit for the boot', '90')
    .option(
      '--phase-timeout <phase=seconds>',
      'limit for one boot phase (firmware, kernel, init; default a third of --timeout, two thirds for kernel); repeatable',
      collect,
    )
    .option(
      '--qemu-binary <path>',
      'the QEMU to boot with (default: $MIGRATABLE_QEMU, else qemu-system-x86_64 or kvm on PATH), e.g. /opt/migratable/qemu-10.0/usr/bin/qemu-system-x86_64',
    )
    .option(
      '--without-unavailable',
      'when the accelerator refuses some features (TCG lacks many), boot again without them to check the rest',
    )
    .option(
      '--ssh <target>',
      'boot on that node over SSH ([user@]host[:port]) with its own QEMU and kernel; nothing is installed there',
    )
    .option('--accept-new-host-keys', 'with --ssh: trust a host key seen for the first time (default: strict checking)')
    .option('-i, --identity <file>', 'with --ssh: ssh identity file')
    .option('--known-hosts <file>', 'with --ssh: ssh known_hosts file')
    .option('--ssh-config <file>', 'with --ssh: ssh_config file (ssh -F), or "none"')
    .option('--ssh-option <Key=Value>', 'with --ssh: extra ssh -o option; repeatable', collect)
    .option('--insecure-host-keys', 'with --ssh: allow --ssh-option values that turn host-key checking off')
    .option('-l, --user <user>', 'with --ssh: login user when the target names none')
    .option('--json', 'print the report as JSON')
    .action(async (model: string, opts: VerifyCliOptions) => (await import('../run/verify.js')).runVerify(model, opts));
}
