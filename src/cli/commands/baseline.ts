import type { Command } from 'commander';
import { FORMAT_NAMES } from '../../emitters/format-names.js';
import { ALLOW_INCOMPLETE_OPTION, KERNEL_OPTION, NO_PROBE_OPTION } from '../options.js';
import type { BaselineCliOptions } from '../run/baseline.js';

export function registerBaseline(program: Command): void {
  program
    .command('baseline')
    .description('the richest CPU model every given host can run, with what is lost and why')
    .argument(
      '[inputs...]',
      'host data: cpuinfo, lscpu, QMP JSON, virsh XML, cpuid -r, Proxmox API JSON, probe bundles, profiles; files or directories, - for stdin',
    )
    .option('-f, --format <format>', `output format: ${FORMAT_NAMES.join(', ')}`, 'text')
    .option('--name <name>', 'model name (cpu-models.conf section, libvirt/nova comments)')
    .option('--allow-tsx', 'keep hle/rtm when every host has them (microcode updates may remove TSX)')
    .option('--qemu <version>', 'oldest QEMU in the cluster (default: what the profiles say, else 7.2)')
    .option('--inventory <db>', 'also use the latest scan of every host in this inventory')
    .option(
      '--libvirt <version>',
      'libvirt release for libvirt/nova/kubevirt output (default 9.0; versioned model names from 10.10)',
    )
    .option(
      '--nova <release>',
      'Nova release for nova output: series (wallaby, zed, 2024.1 ...) or version (default wallaby)',
    )
    .option(
      '--pve <major>',
      'Proxmox VE release for pve output: 7, 8 or 9 (default: a reported-model all three accept)',
    )
    .option(...KERNEL_OPTION)
    .option(...ALLOW_INCOMPLETE_OPTION)
    .option(...NO_PROBE_OPTION)
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (inputs: string[], opts: BaselineCliOptions) =>
      (await import('../run/baseline.js')).runBaseline(inputs, opts),
    );
}
