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
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { lstat, mkdir, readFile, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { BusyError, InputError, WriteError, describeWriteErrno } from '../../errors.js';
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
import { stageOutputFile, writeOutputFile } from '../../fs/output-file.js';
import { DEFAULT_LOCK_TIMEOUT_MS, withFileLock, type LockOptions } from './lock.js';

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
  if ((await readIfExists(target)) === null)
    await mkdir(dirname(target), { recursive: true }).catch((e) => {
      throw new WriteError(file, `cannot create its directory: ${describeWriteErrno(e)}; nothing written`);
    });
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

/**
 * A writer that takes no lock may change the file under us: we merge again, at least this often and
 * then until the lock timeout has passed, before giving up (exit 3).
 */
const MIN_MERGES = 5;

/**
 * Under the lock: read, merge, write. Writers that take no lock (an editor, an admin's `>>`) can
 * still change the file meanwhile, so: the backup is written before the final "unchanged since we
 * read it?" check, leaving only the rename between that check and the switch; when the check
 * fails, we merge again into what is there now. After the rename, the old file is read once more
 * through the descriptor we read it with: an append that landed in it during that last instant is
 * merged into the new file instead of being lost.
 */
async function writeLocked(
  file: string,
  target: string,
  edit: Edit,
  opts: { backup?: boolean; timeoutMs?: number },
): Promise<ApplyCpuModelResult> {
  let recovered: { ours: string; theirs: string } | null = null;
  let wrote: ApplyCpuModelResult | null = null;
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  for (let attempt = 0; attempt < MIN_MERGES || Date.now() < deadline; attempt++) {
    const current = openCurrent(target);
    try {
      // Normally we merge into what is there; after a lost append, into the old file plus whatever
      // was appended to ours since
      let base = current.text;
      if (recovered) {
        if (current.text === null || !current.text.startsWith(recovered.ours)) break; // rewritten meanwhile
        base = recovered.theirs + current.text.slice(recovered.ours.length);
      }
      const plan = planChange(file, edit, base);
      if (plan.action === 'unchanged' && base === current.text) return wrote ?? withoutContent(plan);
      const result: ApplyCpuModelResult = wrote ?? { ...withoutContent(plan), written: true };
      const keep = current.stat
        ? { mode: current.stat.mode & 0o7777, uid: current.stat.uid, gid: current.stat.gid }
        : { mode: 0o644 };
      const staged = stageOutputFile(target, plan.after, keep);
      try {
        if (opts.backup !== false && base !== null) {
          result.backupFile = backupPathFor(target);
          writeOutputFile(result.backupFile, base, keep);
        }
        // The final check: from here to the switch there is only the rename
        if (!current.unchangedOnDisk()) continue;
        staged.commit();
      } finally {
        staged.discard();
      }
      wrote = result;
      const late = current.reread();
      if (late === current.text) return result;
      recovered = { ours: plan.after, theirs: late ?? '' };
    } finally {
      current.close();
    }
  }
  if (wrote)
    throw new BusyError(
      file,
      `rewritten by someone else while migratable merged a late change into it; check it (backup: ${wrote.backupFile ?? 'none'}) and run again`,
    );
  throw new BusyError(file, 'changed by someone else while migratable was writing it; nothing written, run again');
}

interface CurrentFile {
  text: string | null;
  stat: Stats | null;
  /** True when the path still names the file we read, with the content we read. */
  unchangedOnDisk(): boolean;
  /** The file we read, read again through our descriptor (after a rename it is no longer at the path). */
  reread(): string | null;
  close(): void;
}

function openCurrent(target: string): CurrentFile {
  let fd: number | null = null;
  try {
    fd = openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new InputError(target, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const readAll = (): string | null => {
    if (fd === null) return null;
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  };
  const text = readAll();
  const stat = fd === null ? null : fstatSync(fd);
  return {
    text,
    stat,
    unchangedOnDisk() {
      let now: Stats;
      try {
        now = statSync(target);
      } catch {
        return text === null;
      }
      if (!stat || now.ino !== stat.ino || now.dev !== stat.dev) return false;
      return readFileSync(target, 'utf8') === text;
    },
    reread: readAll,
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
