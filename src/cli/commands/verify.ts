import type { Command } from 'commander';
import { collect } from '../output.js';
import { addOldSpellings, sharedOption } from '../options.js';
import type { VerifyCliOptions } from '../run/verify.js';

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description('boot a tiny Linux guest with the model (and enforce) and compare what it sees with the promise')
    .argument('<model>', 'a -cpu string, a `baseline --format json` file, or a cpu-models.conf file')
    .option('--accel <accel>', 'kvm or tcg (default: kvm when /dev/kvm works)')
    .option('--guest-kernel <path>', 'guest kernel (default: the newest /boot/vmlinuz-*); old spelling --kernel')
    .addOption(sharedOption('--section'))
    .addOption(sharedOption('--timeout').default('90'))
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
      'boot on that node over SSH ([user@]host[:port]) with its own QEMU and kernel (the ssh options apply); nothing is installed there',
    )
    .addOption(sharedOption('--accept-new-host-keys'))
    .addOption(sharedOption('--identity'))
    .addOption(sharedOption('--known-hosts'))
    .addOption(sharedOption('--ssh-config'))
    .addOption(sharedOption('--ssh-option').argParser(collect))
    .addOption(sharedOption('--insecure-host-keys'))
    .addOption(sharedOption('--user'))
    .addOption(sharedOption('--json'));
  addOldSpellings(cmd).action(async (model: string, opts: VerifyCliOptions) =>
    (await import('../run/verify.js')).runVerify(model, opts),
  );
}
