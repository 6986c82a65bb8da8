/**
 * Add or replace one custom CPU model in a cpu-models.conf without disturbing anything else.
 *
 * Backup policy: before a change, the previous content is written (atomically) to `FILE.bak`,
 * replacing an older .bak. One file, not timestamped ones, because /etc/pve is a small
 * replicated database and should not grow with every run. Nothing is backed up when the file
 * did not exist or when the content would not change.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { InputError } from '../../errors.js';
import {
  CPU_MODEL_SECTION_TYPE,
  DEFAULT_CPU_MODELS_FILE,
  cpuModelToSectionData,
  validateCpuModelSection,
  type CpuModelSection,
} from '../../formats/pve-cpu-models.js';
import { parseSectionConfig, upsertSection } from '../../formats/pve-section-config.js';
import { writeFileAtomic } from './atomic-write.js';

export interface ApplyCpuModelOptions {
  /** Defaults to /etc/pve/virtual-guest/cpu-models.conf */
  file?: string;
  section: CpuModelSection;
  /** Compute the diff only; write nothing. */
  dryRun?: boolean;
  /** Keep the previous content in FILE.bak (default true). */
  backup?: boolean;
}

export interface ApplyCpuModelResult {
  file: string;
  action: 'created' | 'added' | 'replaced' | 'unchanged';
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

export async function applyCpuModel(opts: ApplyCpuModelOptions): Promise<ApplyCpuModelResult> {
  const file = opts.file ?? DEFAULT_CPU_MODELS_FILE;
  const { section, dryRun = false, backup = true } = opts;
  validateCpuModelSection(section, `cpu model '${section.name}'`);

  const before = await readIfExists(file);
  // Refuses (InputError with a line number) before anything is written.
  const doc = parseSectionConfig(before ?? '', file);
  let after: string;
  let action: ApplyCpuModelResult['action'];
  try {
    const r = upsertSection(doc, cpuModelToSectionData(section));
    after = r.text;
    action = before === null ? 'created' : r.action;
  } catch (e) {
    throw new InputError(file, (e as Error).message);
  }
  if (before !== null && after === before) return { file, action: 'unchanged', written: false, diff: '' };

  const diff = createTwoFilesPatch(
    before === null ? '/dev/null' : file,
    file,
    before ?? '',
    after,
    before === null ? '(missing)' : 'current',
    `with ${CPU_MODEL_SECTION_TYPE} ${section.name}`,
  );
  if (dryRun) return { file, action, written: false, diff };

  let mode = 0o644;
  if (before === null) await mkdir(dirname(file), { recursive: true });
  else mode = (await stat(file)).mode & 0o7777;

  const result: ApplyCpuModelResult = { file, action, written: true, diff };
  if (backup && before !== null) {
    result.backupFile = backupPathFor(file);
    await writeFileAtomic(result.backupFile, before, { mode });
  }
  await writeFileAtomic(file, after, {
    mode,
    // Someone else edited the file since we read it: keep their version, write nothing.
    beforeRename: async () => {
      if ((await readIfExists(file)) !== before) {
        throw new InputError(file, 'changed while migratable was writing it; nothing written, run again');
      }
    },
  });
  return result;
}
