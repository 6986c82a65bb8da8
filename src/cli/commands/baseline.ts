import type { Command } from 'commander';
import { FORMAT_NAMES } from '../../emitters/format-names.js';
import { addOldSpellings, sharedOption } from '../options.js';
import type { BaselineCliOptions } from '../run/baseline.js';

export function registerBaseline(program: Command): void {
  const cmd = program
    .command('baseline')
    .description('the richest CPU model every given host can run, with what is lost and why')
    .argument(
      '[inputs...]',
      'host data: cpuinfo, lscpu, QMP JSON, virsh XML, cpuid -r, Proxmox API JSON, probe bundles, profiles; files or directories, - for stdin',
    )
    .addOption(sharedOption('--format').choices(FORMAT_NAMES).default('text'))
    .option('--name <name>', 'model name (cpu-models.conf section, libvirt/nova comments)')
    .addOption(sharedOption('--allow-tsx'))
    .addOption(sharedOption('--qemu'))
    .addOption(sharedOption('--inventory'))
    .option(
      '--libvirt <version>',
      'libvirt release for libvirt/nova/kubevirt output (default 9.0; versioned model names from 10.10)',
    )
    .option(
      '--nova <release>',
      'Nova release for nova output: series (wallaby, zed, 2024.1 ...) or version (default wallaby)',
    )
    .option(
      '--pve-release <major>',
      'Proxmox VE release for pve output: 7, 8 or 9 (default: a reported-model all three accept); old spelling --pve',
    )
    .addOption(sharedOption('--kernel'))
    .addOption(sharedOption('--allow-incomplete'))
    .addOption(sharedOption('--no-probe'))
    .addOption(sharedOption('--output'));
  addOldSpellings(cmd).action(async (inputs: string[], opts: BaselineCliOptions) =>
    (await import('../run/baseline.js')).runBaseline(inputs, opts),
  );
}
