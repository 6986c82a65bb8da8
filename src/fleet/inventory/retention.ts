/**
 * Retention: `scan` adds rows on every run and nothing else removes them. A prune deletes snapshots,
 * scan runs (with their attempts) and verifications older than a cutoff, but never what the inventory
 * still answers from:
 * - each host's newest `keepLast` snapshots (drift, baselines and metrics read the latest), and the
 *   two host_history points at (the metrics' newest and previous feature sets);
 * - the newest `keepLast` scan runs, and any run holding a snapshot that stays;
 * - the newest `keepLast` verifications per node and model (`hosts` shows the newest verdict);
 * - every model_versions row: the provenance of what `apply` wrote is a log, never pruned.
 * host_history keeps its counts (snapshots stored, drift events): they are counters, and the metrics
 * built on them must not go backwards.
 *
 * Each table's doomed rows are one SQL condition, used both to count (dry run) and to delete, so
 * the dry run reports exactly what the prune would remove.
 */
import type Database from 'better-sqlite3';

export interface RetentionPolicy {
  /** Rows older than this (ISO time) may go */
  cutoff: string;
  /** Per host (snapshots), per node and model (verifications), overall (scan runs): always kept */
  keepLast: number;
}

/** Rows removed (or, in a dry run, that would be) per table. */
export type PruneCounts = Record<'snapshots' | 'scan_runs' | 'scan_attempts' | 'verifications', number>;

function hasTable(db: Database.Database, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

function conditions(db: Database.Database) {
  const history = hasTable(db, 'host_history');
  const doomedSnapshot = `collected_at < @cutoff
    AND id NOT IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY host ORDER BY collected_at DESC, id DESC) AS n
                                   FROM snapshots) WHERE n <= @keepLast)
    ${history ? 'AND id NOT IN (SELECT latest_id FROM host_history UNION SELECT previous_id FROM host_history WHERE previous_id IS NOT NULL)' : ''}`;
  const doomedSnapshotIds = `SELECT id FROM snapshots WHERE ${doomedSnapshot}`;
  // uncorrelated subqueries only: SQLite computes each once (scan_attempts has no index on run_id)
  const doomedRun = `finished_at < @cutoff
    AND id NOT IN (SELECT id FROM scan_runs ORDER BY finished_at DESC, id DESC LIMIT @keepLast)
    AND id NOT IN (SELECT run_id FROM scan_attempts WHERE snapshot_id IS NOT NULL
                   AND snapshot_id NOT IN (${doomedSnapshotIds}))`;
  // an attempt goes with its run, or with its snapshot (a kept run's row for a host scanned again since)
  const doomedAttempt = `run_id IN (SELECT id FROM scan_runs WHERE ${doomedRun})
    OR (snapshot_id IS NOT NULL AND snapshot_id IN (${doomedSnapshotIds}))`;
  const doomedVerification = `verified_at < @cutoff
    AND id NOT IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY host, model_hash ORDER BY verified_at DESC, id DESC) AS n
                                   FROM verifications) WHERE n <= @keepLast)`;
  const runs = hasTable(db, 'scan_runs');
  // deletion order: each condition reads only rows a later step deletes
  return [
    ...(runs ? [['scan_attempts', doomedAttempt] as const, ['scan_runs', doomedRun] as const] : []),
    ['snapshots', doomedSnapshot] as const,
    ...(hasTable(db, 'verifications') ? [['verifications', doomedVerification] as const] : []),
  ];
}

/** Counts what a prune removes; deletes it too unless `dryRun`, in one transaction. */
export function pruneInventory(db: Database.Database, policy: RetentionPolicy, dryRun: boolean): PruneCounts {
  const counts: PruneCounts = { snapshots: 0, scan_runs: 0, scan_attempts: 0, verifications: 0 };
  const steps = conditions(db);
  const run = () => {
    for (const [table, where] of steps) {
      counts[table] = dryRun
        ? (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get(policy) as { n: number }).n
        : db.prepare(`DELETE FROM ${table} WHERE ${where}`).run(policy).changes;
    }
  };
  if (dryRun) run();
  else db.transaction(run)();
  return counts;
}
