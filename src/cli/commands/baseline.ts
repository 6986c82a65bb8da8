import type { Command } from 'commander';
import { computeBaseline } from '../../engine/baseline.js';
import { EMITTERS, FORMAT_NAMES, isFormatName } from '../../emitters/index.js';
import { InputError } from '../../errors.js';
import { loadHosts } from '../inputs.js';
import { output } from '../output.js';
import { parseQemuVersion } from './catalog.js';
import { checkModelName, emitterOptions, type BaselineCliOptions } from './baseline-options.js';

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
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (inputs: string[], opts: BaselineCliOptions) => {
      if (!isFormatName(opts.format))
        throw new InputError('--format', `unknown format "${opts.format}"; one of ${FORMAT_NAMES.join(', ')}`);
      checkModelName(opts.name, opts.format);
      const emitOptions = emitterOptions(opts);
      const hosts = await loadHosts(inputs, opts);
      const result = computeBaseline(hosts, {
        allowTsx: opts.allowTsx,
        qemu: parseQemuVersion(opts.qemu),
        name: opts.name,
      });
      output(EMITTERS[opts.format].emit(result, emitOptions), opts.output);
    });
}
