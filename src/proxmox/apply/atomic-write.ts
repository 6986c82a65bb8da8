/**
 * Replace a file so readers see either the old or the new content, never a mix, the same way PVE's
 * own file_set_contents writes into /etc/pve: through migratable's one output-file writer
 * (src/fs/output-file.ts: O_EXCL temp file beside it, fsync, rename, links refused).
 */
import { stageOutputFile, type OutputFileOptions } from '../../fs/output-file.js';

export interface AtomicWriteOptions extends OutputFileOptions {
  /** Called after the temp file is durable and before the rename; throw to abort. */
  beforeRename?: () => Promise<void>;
}

export async function writeFileAtomic(file: string, data: string, opts: AtomicWriteOptions = {}): Promise<void> {
  const staged = stageOutputFile(file, data, { mode: opts.mode ?? 0o644, uid: opts.uid, gid: opts.gid });
  try {
    await opts.beforeRename?.();
    staged.commit();
  } finally {
    staged.discard();
  }
}
