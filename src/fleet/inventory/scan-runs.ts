/**
 * Scan runs: when each `scan` ran, how long it took, and per host how long its probe took or why it
 * failed. Snapshots only record successes; a host that stopped answering would otherwise look the
 * same as one nobody scanned, and the metrics (src/metrics) could not say how long a scan takes.
 */
import type Database from 'better-sqlite3';

/** The inventory's migration step that adds the tables (see MIGRATIONS in index.ts). */
export const SCAN_RUNS_STEP = {
  name: 'scan runs: when each scan ran, per host its duration or why it failed',
  sql: `
  CREATE TABLE IF NOT EXISTS scan_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    hosts_ok INTEGER NOT NULL,
    hosts_failed INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS scan_attempts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES scan_runs(id),
    host TEXT NOT NULL,
    target TEXT NOT NULL,
    seconds REAL,
    snapshot_id INTEGER REFERENCES snapshots(id),
    reason TEXT
  );
  CREATE INDEX IF NOT EXISTS scan_attempts_failed ON scan_attempts(host, run_id) WHERE snapshot_id IS NULL;
  CREATE INDEX IF NOT EXISTS scan_attempts_snapshot ON scan_attempts(snapshot_id);
`,
};

/** A host the scan could not profile. */
export interface FailedScan {
  /** The target as given ([user@]host[:port], or the API's URL) */
  target: string;
  /** The address tried (host[:port], as snapshots record it), to find the host's stored name */
  address: string | null;
  /** The host's name when the source knows it (the Proxmox API names its nodes) */
  host?: string;
  seconds: number | null;
  reason: string;
}

/** What `scan` hands the inventory beside the snapshots. */
export interface ScanRunInput {
  startedAt: Date;
  finishedAt: Date;
  failed: FailedScan[];
}

/** One stored snapshot of the run, with its target and how long its probe took. */
export interface ScannedSnapshot {
  host: string;
  snapshotId: number;
  target: string;
  seconds: number | null;
}

export interface ScanRunSummary {
  startedAt: string;
  finishedAt: string;
  hostsOk: number;
  hostsFailed: number;
}

export interface HostScanStats {
  host: string;
  /** Failed attempts recorded (successes are the host's snapshots) */
  failures: number;
  /** When the newest failure happened (its run's end) */
  lastFailure: string | null;
  /** How long the probe behind the host's latest snapshot took, when recorded */
  lastSeconds: number | null;
}

export function hasScanRuns(db: Database.Database): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scan_runs'").get();
}

/**
 * Records a run: its successes (the snapshots just stored) and its failures. A failed host is named
 * like its newest snapshot at the same address, so its failures and its snapshots line up; a host
 * never profiled is named by the address tried.
 */
export function insertScanRun(db: Database.Database, run: ScanRunInput, ok: ScannedSnapshot[]): number {
  const byAddress = db.prepare(
    'SELECT host FROM snapshots WHERE address = ? ORDER BY collected_at DESC, id DESC LIMIT 1',
  );
  const runId = Number(
    db
      .prepare('INSERT INTO scan_runs (started_at, finished_at, hosts_ok, hosts_failed) VALUES (?, ?, ?, ?)')
      .run(run.startedAt.toISOString(), run.finishedAt.toISOString(), ok.length, run.failed.length).lastInsertRowid,
  );
  const attempt = db.prepare(
    'INSERT INTO scan_attempts (run_id, host, target, seconds, snapshot_id, reason) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const s of ok) attempt.run(runId, s.host, s.target, s.seconds, s.snapshotId, null);
  for (const f of run.failed) {
    const stored = f.address ? (byAddress.get(f.address) as { host: string } | undefined)?.host : undefined;
    attempt.run(runId, f.host ?? stored ?? f.address ?? f.target, f.target, f.seconds, null, f.reason);
  }
  return runId;
}

/** The newest run, or null when none is recorded (an inventory from before this table, or no scan yet). */
export function lastScanRun(db: Database.Database): ScanRunSummary | null {
  if (!hasScanRuns(db)) return null;
  const r = db
    .prepare(
      'SELECT started_at, finished_at, hosts_ok, hosts_failed FROM scan_runs ORDER BY finished_at DESC, id DESC LIMIT 1',
    )
    .get() as { started_at: string; finished_at: string; hosts_ok: number; hosts_failed: number } | undefined;
  return r
    ? { startedAt: r.started_at, finishedAt: r.finished_at, hostsOk: r.hosts_ok, hostsFailed: r.hosts_failed }
    : null;
}

/**
 * Per host: failures recorded, the newest one, and the duration of the probe behind its latest
 * snapshot. Reads the failures and one attempt per host, never the whole history of successes.
 */
export function hostScanStats(db: Database.Database): HostScanStats[] {
  if (!hasScanRuns(db)) return [];
  const rows = db
    .prepare(
      `WITH failures AS (
         SELECT a.host, COUNT(*) AS failures, MAX(r.finished_at) AS last_failure
         FROM scan_attempts a JOIN scan_runs r ON r.id = a.run_id
         WHERE a.snapshot_id IS NULL GROUP BY a.host),
       latest AS (
         SELECT h.host, (SELECT b.seconds FROM scan_attempts b WHERE b.snapshot_id =
                  (SELECT s.id FROM snapshots s WHERE s.host = h.host ORDER BY s.collected_at DESC, s.id DESC LIMIT 1)
                ) AS seconds
         FROM (SELECT DISTINCT host FROM snapshots) h)
       SELECT COALESCE(f.host, l.host) AS host, COALESCE(f.failures, 0) AS failures, f.last_failure,
              l.seconds AS last_seconds
       FROM failures f FULL OUTER JOIN latest l ON l.host = f.host
       WHERE f.host IS NOT NULL OR l.seconds IS NOT NULL
       ORDER BY 1`,
    )
    .all() as Array<{ host: string; failures: number; last_failure: string | null; last_seconds: number | null }>;
  return rows.map((r) => ({
    host: r.host,
    failures: r.failures,
    lastFailure: r.last_failure,
    lastSeconds: r.last_seconds,
  }));
}
