/**
 * Add or replace one custom CPU model in a cpu-models.conf without disturbing anything else.
 *
 * Backup policy: before a change, the previous content is written (atomically) to `FILE.bak`,
 * replacing an older .bak. One file, not timestamped ones, because /etc/pve is a small
 * replicated database and should not grow with every run. Nothing is backed up when the file
 * did not exist, when the content would not change or when the write is refused.
 *
 * A symlinked file stays a symlink (its target is edited), and the file keeps its owner and mode.
 */
import { lstat, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { BusyError, InputError } from '../../errors.js';
import {
  CPU_MODEL_SECTION_TYPE,
  DEFAULT_CPU_MODELS_FILE,
  cpuModelToSectionData,
  parseCpuModels,
  validateCpuModelSection,
  type CpuModelSection,
} from '../../formats/pve-cpu-models.js';
import {
  parseSectionConfig,
  removeSection,
  upsertSection,
  type SectionConfigDocument,
} from '../../formats/pve-section-config.js';
import { writeFileAtomic } from './atomic-write.js';
import { withFileLock, type LockOptions } from './lock.js';

export interface ApplyCpuModelOptions extends LockOptions {
  /** Defaults to /etc/pve/virtual-guest/cpu-models.conf */
  file?: string;
  section: CpuModelSection;
  /**
   * Picks the section to write from the models in the file as read under the lock (versions/: a new
   * version name instead of a used one); null writes nothing.
   */
  choose?: (current: CpuModelSection[]) => CpuModelSection | null;
  /** Compute the diff only; write nothing. */
  dryRun?: boolean;
  /** Keep the previous content in FILE.bak (default true). */
  backup?: boolean;
}

export interface ApplyCpuModelResult {
  file: string;
  action: 'created' | 'added' | 'replaced' | 'removed' | 'unchanged';
  /** False for dry runs and when the file already had exactly this section. */
  written: boolean;
  /** Unified diff from the current to the new content; '' when unchanged. */
  diff: string;
  backupFile?: string;
}

export const backupPathFor = (file: string) => `${file}.bak`;

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new InputError(file, `cannot read: ${code ?? (e as Error).message}`);
  }
}

/** The file a path names after following symlinks: we edit that one and leave the link alone. */
async function realTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new InputError(file, `cannot resolve: ${code ?? (e as Error).message}`);
  }
  const isLink = await lstat(file).then(
    (s) => s.isSymbolicLink(),
    () => false,
  );
  if (isLink) throw new InputError(file, 'is a symlink to a missing file; expected cpu-models.conf or a link to it');
  return file;
}

export async function applyCpuModel(opts: ApplyCpuModelOptions): Promise<ApplyCpuModelResult> {
  const file = opts.file ?? DEFAULT_CPU_MODELS_FILE;
  validateCpuModelSection(opts.section, `cpu model '${opts.section.name}'`);
  return editCpuModels(file, upsertEdit(opts), opts);
}

export interface RemoveCpuModelOptions extends LockOptions {
  file?: string;
  name: string;
  /** Called with the models in the file as read under the lock; throw to refuse (e.g. the model is in use) */
  check?: (current: CpuModelSection[]) => void;
  dryRun?: boolean;
  backup?: boolean;
}

/** Removes one cpu-model section, keeping everything else byte for byte; 'unchanged' when it is not there. */
export async function removeCpuModel(opts: RemoveCpuModelOptions): Promise<ApplyCpuModelResult> {
  const file = opts.file ?? DEFAULT_CPU_MODELS_FILE;
  const edit: Edit = (doc, models) => {
    opts.check?.(models());
    if (!models().some((m) => m.name === opts.name)) return null;
    return {
      text: removeSection(doc, opts.name),
      action: 'removed',
      label: `without ${CPU_MODEL_SECTION_TYPE} ${opts.name}`,
    };
  };
  return editCpuModels(file, edit, opts);
}

/** One change to the file's sections: the new text, or null for none. */
type Edit = (
  doc: SectionConfigDocument,
  /** The file's models, parsed strictly (only edits that need them ask) */
  models: () => CpuModelSection[],
) => { text: string; action: 'added' | 'replaced' | 'removed'; label: string } | null;

function upsertEdit(opts: ApplyCpuModelOptions): Edit {
  return (doc, models) => {
    const section = opts.choose ? opts.choose(models()) : opts.section;
    if (!section) return null;
    validateCpuModelSection(section, `cpu model '${section.name}'`);
    const r = upsertSection(doc, cpuModelToSectionData(section));
    return { ...r, label: `with ${CPU_MODEL_SECTION_TYPE} ${section.name}` };
  };
}

async function editCpuModels(
  file: string,
  edit: Edit,
  opts: LockOptions & { dryRun?: boolean; backup?: boolean },
): Promise<ApplyCpuModelResult> {
  if (opts.dryRun) return withoutContent(planChange(file, edit, await readIfExists(file)));
  const target = await realTarget(file);
  if ((await readIfExists(target)) === null) await mkdir(dirname(target), { recursive: true });
  // Read, merge and write under the lock, so a concurrent writer's section is never lost
  return withFileLock(target, () => writeLocked(file, target, edit, opts), opts);
}

interface Plan extends ApplyCpuModelResult {
  before: string | null;
  after: string;
}

const withoutContent = ({ before: _before, after: _after, ...result }: Plan): ApplyCpuModelResult => result;

function planChange(file: string, edit: Edit, before: string | null): Plan {
  // Refuses (InputError with a line number) before anything is written.
  const doc = parseSectionConfig(before ?? '', file);
  const r = (() => {
    const models = () => (before === null ? [] : parseCpuModels(before, file).models);
    try {
      return edit(doc, models);
    } catch (e) {
      if (e instanceof InputError || e instanceof BusyError) throw e;
      throw new InputError(file, (e as Error).message);
    }
  })();
  if (!r) return { file, action: 'unchanged', written: false, diff: '', before, after: before ?? '' };
  const after = r.text;
  const action: ApplyCpuModelResult['action'] = before === null && r.action !== 'removed' ? 'created' : r.action;
  const label = r.label;
  if (before !== null && after === before)
    return { file, action: 'unchanged', written: false, diff: '', before, after };
  const diff = createTwoFilesPatch(
    before === null ? '/dev/null' : file,
    file,
    before ?? '',
    after,
    before === null ? '(missing)' : 'current',
    label,
  );
  return { file, action, written: false, diff, before, after };
}

async function writeLocked(
  file: string,
  target: string,
  edit: Edit,
  opts: { backup?: boolean },
): Promise<ApplyCpuModelResult> {
  const plan = planChange(file, edit, await readIfExists(target));
  const { before, after } = plan;
  if (plan.action === 'unchanged') return withoutContent(plan);
  const owner = before === null ? undefined : await stat(target);
  const keep = { mode: owner ? owner.mode & 0o7777 : 0o644, uid: owner?.uid, gid: owner?.gid };
  const result: ApplyCpuModelResult = { ...withoutContent(plan), written: true };
  await writeFileAtomic(target, after, {
    ...keep,
    beforeRename: async () => {
      // A writer that takes no lock (an editor) changed the file since we read it: keep theirs.
      if ((await readIfExists(target)) !== before)
        throw new BusyError(
          file,
          'changed by someone else while migratable was writing it; nothing written, run again',
        );
      // The backup is written only now that the new content is certain to follow.
      if (opts.backup !== false && before !== null) {
        result.backupFile = backupPathFor(target);
        await writeFileAtomic(result.backupFile, before, keep);
      }
    },
  });
  return result;
}
