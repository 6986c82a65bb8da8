/** `migratable apply`: a generated model into Proxmox's cpu-models.conf, touching only its own section. */
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { applyCpuModel, qmSetLines } from '../../fleet/apply/index.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import { readInputText } from '../../sources/files.js';
import { collect, notice, output } from '../output.js';

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
    .action(async (model: string, opts: { file: string; dryRun?: boolean; vm?: string[]; lockTimeout: string }) => {
      const lockSeconds = Number(opts.lockTimeout);
      if (!/^\d+(\.\d+)?$/.test(opts.lockTimeout) || lockSeconds > 3600)
        throw new InputError('--lock-timeout', `expected seconds (0-3600), got ${JSON.stringify(opts.lockTimeout)}`);
      // `baseline --format pve` ends with the VM's "cpu: custom-NAME" line: that one is for the VM config
      const text = readInputText(model).replace(/^cpu: custom-\S+[ \t]*$/gm, '');
      const sections = parseCpuModels(text, model).models;
      if (sections.length !== 1)
        throw new InputError(model, `expected exactly one cpu-model section, found ${sections.length}`);
      const r = await applyCpuModel({
        file: opts.file,
        section: sections[0],
        dryRun: !!opts.dryRun,
        timeoutMs: lockSeconds * 1000,
      });
      if (opts.dryRun) output(r.diff || `${opts.file}: already up to date`);
      else
        notice(
          `${opts.file}: ${r.action} cpu-model ${sections[0].name}${r.backupFile ? ` (backup: ${r.backupFile})` : ''}`,
        );
      if (opts.vm?.length) {
        output(qmSetLines(opts.vm, sections[0].name).join('\n'));
        notice('note: qm set replaces the whole cpu: value; re-add any per-VM flags= or phys-bits= these VMs had');
      }
    });
}
