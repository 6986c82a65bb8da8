/** `migratable inventory prune`: retention for the inventory (src/fleet/inventory/retention.ts). */
import { statSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { defaultInventoryPath, openInventory, type PruneCounts } from '../../fleet/inventory/index.js';
import { safeJson } from '../../safe-json.js';
import { output } from '../output.js';

export interface PruneInventoryOptions {
  keepDays: string;
  keepLast?: string;
  inventory?: string;
  dryRun?: boolean;
  /** undefined: vacuum unless --dry-run; false: --no-vacuum */
  vacuum?: boolean;
  json?: boolean;
}

const DAY_MS = 86_400_000;

function wholeNumber(option: string, v: string, min: number, expected: string): number {
  const n = /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!(n >= min)) throw new InputError(option, `expected ${expected}, got ${JSON.stringify(v.slice(0, 40))}`);
  return n;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function runPruneInventory(opts: PruneInventoryOptions, now = new Date()): void {
  // every value is checked before the inventory is opened: a bad one changes nothing
  const keepDays = wholeNumber('--keep-days', opts.keepDays, 0, 'a whole number of days, 0 or more');
  const keepLast = wholeNumber('--keep-last', opts.keepLast ?? '1', 1, 'a whole number, 1 or more');
  if (opts.dryRun && opts.vacuum === true)
    throw new InputError('--vacuum', 'cannot be combined with --dry-run (a dry run changes nothing)');
  const path = opts.inventory ?? defaultInventoryPath();
  const cutoff = new Date(now.getTime() - keepDays * DAY_MS).toISOString();
  // read-only first: a missing file or a foreign one is refused before anything is created or migrated
  openInventory(path, { readOnly: true }).close();
  const bytesBefore = fileBytes(path);
  const inv = openInventory(path, { readOnly: !!opts.dryRun });
  let removed: PruneCounts;
  let vacuum = !opts.dryRun && opts.vacuum !== false;
  try {
    removed = inv.prune({ cutoff, keepLast }, !!opts.dryRun);
    if (vacuum)
      try {
        inv.vacuum();
      } catch (e) {
        // the deletion is committed: say so rather than report the run as refused (a reader holds the file)
        vacuum = false;
        process.stderr.write(`migratable: pruned, but not compacted: ${(e as Error).message}\n`);
      }
  } finally {
    inv.close();
  }
  const bytesAfter = fileBytes(path);
  if (opts.json) {
    output(safeJson({ dryRun: !!opts.dryRun, cutoff, keepLast, removed, vacuumed: vacuum, bytesBefore, bytesAfter }));
    return;
  }
  const verb = opts.dryRun ? 'would remove' : 'removed';
  const lines = [
    `${opts.dryRun ? 'dry run: ' : ''}rows older than ${cutoff} (keeping the newest ${keepLast} per host, node and model)`,
    ...Object.entries(removed).map(([table, n]) => `  ${table}: ${verb} ${n}`),
    vacuum ? `file: ${bytesBefore} -> ${bytesAfter} bytes` : `file: ${bytesAfter} bytes (not vacuumed)`,
  ];
  output(lines.join('\n'));
}
