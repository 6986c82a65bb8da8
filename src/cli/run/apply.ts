/**
 * `migratable apply`: a generated model into Proxmox's cpu-models.conf, touching only its own section.
 * A section some VM uses is never changed: the model goes in as its next version (proxmox/versions/).
 * `migratable prune`: removes sections no VM uses.
 */
import { EXIT_PROBLEM, InputError } from '../../errors.js';
import { applyCpuModel, removeCpuModel } from '../../proxmox/apply/index.js';
import { qmSetLines } from '../../proxmox/commands.js';
import { modelHostsFromText, parseCpuModels, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import { openInventory, type Inventory } from '../../fleet/inventory/index.js';
import { readInputText } from '../../sources/files.js';
import { pveFileInput } from '../../sources/size-caps.js';
import { loadClusterUses, type UsesOptions } from '../../proxmox/versions/cluster-uses.js';
import { decideModelWrite, type ModelWriteDecision } from '../../proxmox/versions/decide.js';
import { retiredNames, versionRecord } from '../../proxmox/versions/provenance.js';
import { prunableModels } from '../../proxmox/versions/prune.js';
import { describeUses } from '../../proxmox/versions/usage.js';
import { familyOf } from '../../proxmox/versions/naming.js';
import { notice, output } from '../output.js';

export interface ApplyOptions extends UsesOptions {
  file: string;
  dryRun?: boolean;
  /** --vmid (old spelling --vm) */
  vmid?: string[];
  lockTimeout: string;
  inPlace?: boolean;
  inventory?: string;
}

/** What `baseline --format pve` or `plan --write-models` wrote: one section, for a file of /etc/pve */
const MODEL_INPUT = pveFileInput('one cpu-model section (baseline --format pve, plan --write-models)');

function lockMs(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds > 3600)
    throw new InputError('--lock-timeout', `expected seconds (0-3600), got ${JSON.stringify(value)}`);
  return seconds * 1000;
}

function readSection(model: string): { section: CpuModelSection; hosts: string[] } {
  // `baseline --format pve` ends with the VM's "cpu: custom-NAME" line: that one is for the VM config
  const text = readInputText(model, MODEL_INPUT);
  const sections = parseCpuModels(text.replace(/^cpu: custom-\S+[ \t]*$/gm, ''), model).models;
  if (sections.length !== 1)
    throw new InputError(model, `expected exactly one cpu-model section, found ${sections.length}`);
  return { section: sections[0], hosts: modelHostsFromText(text) };
}

async function withInventory(path: string | undefined, fn: (inv: Inventory | null) => Promise<void>): Promise<void> {
  const inv = path ? openInventory(path) : null;
  try {
    await fn(inv);
  } finally {
    inv?.close();
  }
}

function report(d: ModelWriteDecision, file: string, action: string, backup?: string): string {
  const where = `${file}: `;
  if (d.kind === 'new-version' || d.kind === 'present' || d.kind === 'replace')
    return `${where}${d.message}${backup ? ` (backup: ${backup})` : ''}`;
  return `${where}${action} cpu-model ${d.section.name}${backup ? ` (backup: ${backup})` : ''}`;
}

export async function runApply(model: string, opts: ApplyOptions): Promise<void> {
  const { section, hosts } = readSection(model);
  const timeoutMs = lockMs(opts.lockTimeout);
  // Every argument is checked before anything is written: a bad --vmid must not leave a changed file behind
  if (opts.vmid?.length) qmSetLines(opts.vmid, section.name);
  const { uses, source } = await loadClusterUses(opts.file, opts);
  await withInventory(opts.inventory, async (inv) => {
    const records = inv?.modelVersions() ?? [];
    let decision: ModelWriteDecision | undefined;
    const r = await applyCpuModel({
      file: opts.file,
      section,
      dryRun: !!opts.dryRun,
      timeoutMs,
      // Decided on the file as it is under the lock: a concurrent apply's version is seen
      choose: (existing) => {
        decision = decideModelWrite({
          existing,
          section,
          uses,
          inPlace: opts.inPlace,
          retired: retiredNames(records, section),
        });
        return ['unchanged', 'present', 'refused'].includes(decision.kind) ? null : decision.section;
      },
    });
    const d = decision!;
    if (d.kind === 'refused') {
      process.stderr.write(`migratable: ${opts.file}: ${d.message}\n`);
      process.exitCode = EXIT_PROBLEM;
      return;
    }
    if (opts.dryRun) output(r.diff || `${opts.file}: already up to date`);
    if (opts.dryRun && d.kind !== 'unchanged') notice(`dry run: ${d.message}`);
    else if (!opts.dryRun) notice(report(d, opts.file, r.action, r.backupFile));
    if (!source && !opts.dryRun && (d.kind === 'new-version' || d.kind === 'add'))
      notice('note: no VM configs were read (--pve-config DIR or --pve URL): every existing section counted as in use');
    if (d.usedBy?.length && d.section.name !== d.requested)
      notice(
        `VMs on ${d.requested} keep it until moved: ${describeUses(d.usedBy)}; \`migratable plan\` lists their power-cycle lines`,
      );
    if (inv && r.written)
      inv.recordModelVersion(
        versionRecord(d.section, d.kind === 'replace' ? 'replaced' : 'added', {
          family: d.family,
          version: d.version,
          hosts,
          file: opts.file,
        }),
      );
    else if (!inv && r.written)
      notice('note: provenance not recorded: pass --inventory DB to keep hosts, date and hash');
    if (opts.vmid?.length) {
      output(qmSetLines(opts.vmid, d.section.name).join('\n'));
      notice('note: qm set replaces the whole cpu: value; re-add any per-VM flags= or phys-bits= these VMs had');
    }
  });
}

export interface PruneOptions extends UsesOptions {
  file: string;
  dryRun?: boolean;
  lockTimeout: string;
  inventory?: string;
}

/**
 * Removes the named sections, or without names every superseded version (an older version of a
 * family whose newer version is in the file) that no VM config, pending change or snapshot names.
 */
export async function runPrune(names: string[], opts: PruneOptions): Promise<void> {
  const timeoutMs = lockMs(opts.lockTimeout);
  const { uses, source } = await loadClusterUses(opts.file, opts);
  if (!uses)
    throw new InputError(
      opts.file,
      'cannot tell which VMs use its models: give --pve-config DIR (a copy of /etc/pve) or --pve URL',
    );
  await withInventory(opts.inventory, async (inv) => {
    const text = readInputText(opts.file, pveFileInput('a Proxmox cpu-models.conf (cpu-model: sections)'));
    const models = parseCpuModels(text, opts.file).models;
    const { remove, keep } = prunableModels(models, uses, names);
    for (const k of keep) notice(`${opts.file}: keeping cpu-model ${k.name}: ${k.why}`);
    if (keep.some((k) => names.includes(k.name))) process.exitCode = EXIT_PROBLEM;
    if (!remove.length) return notice(`${opts.file}: nothing to remove (VM configs from ${source})`);
    for (const name of remove) {
      // Uses come from the VM configs read above; the section list is re-read under the lock
      const r = await removeCpuModel({ file: opts.file, name, dryRun: !!opts.dryRun, timeoutMs });
      if (opts.dryRun) output(r.diff || `${opts.file}: ${name} is already gone`);
      else notice(`${opts.file}: ${r.action === 'removed' ? 'removed' : 'already gone:'} cpu-model ${name}`);
      const removed = models.find((m) => m.name === name);
      if (inv && r.written && removed) {
        const { base, version } = familyOf(
          name,
          models.map((m) => m.name),
        );
        inv.recordModelVersion(
          versionRecord(removed, 'removed', { family: base, version, hosts: [], file: opts.file }),
        );
      }
    }
  });
}
