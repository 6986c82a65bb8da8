/** `migratable apply`: a generated model into Proxmox's cpu-models.conf, touching only its own section. */
import { InputError } from '../../errors.js';
import { applyCpuModel } from '../../proxmox/apply/index.js';
import { qmSetLines } from '../../proxmox/commands.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import { readInputText } from '../../sources/files.js';
import { pveFileInput } from '../../sources/size-caps.js';
import { notice, output } from '../output.js';

export interface ApplyOptions {
  file: string;
  dryRun?: boolean;
  vm?: string[];
  lockTimeout: string;
}

/** What `baseline --format pve` or `plan --write-models` wrote: one section, for a file of /etc/pve */
const MODEL_INPUT = pveFileInput('one cpu-model section (baseline --format pve, plan --write-models)');

export async function runApply(model: string, opts: ApplyOptions): Promise<void> {
  // `baseline --format pve` ends with the VM's "cpu: custom-NAME" line: that one is for the VM config
  const text = readInputText(model, MODEL_INPUT).replace(/^cpu: custom-\S+[ \t]*$/gm, '');
  const sections = parseCpuModels(text, model).models;
  if (sections.length !== 1)
    throw new InputError(model, `expected exactly one cpu-model section, found ${sections.length}`);
  const lockSeconds = Number(opts.lockTimeout);
  if (!/^\d+(\.\d+)?$/.test(opts.lockTimeout) || lockSeconds > 3600)
    throw new InputError('--lock-timeout', `expected seconds (0-3600), got ${JSON.stringify(opts.lockTimeout)}`);
  // Every argument is checked before anything is written: a bad --vm must not leave a changed file behind
  const qmLines = opts.vm?.length ? qmSetLines(opts.vm, sections[0].name) : [];
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
  if (qmLines.length) {
    output(qmLines.join('\n'));
    notice('note: qm set replaces the whole cpu: value; re-add any per-VM flags= or phys-bits= these VMs had');
  }
}
