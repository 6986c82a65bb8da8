/**
 * Per host, its snapshot history in brief: how many snapshots, how many changed its features (drift
 * events), the newest and the one before. Kept up to date as scans store snapshots, so the metrics
 * read one row per host instead of every snapshot's features: a year of hourly scans of 100 hosts
 * is 876,000 snapshots, and reading their features alone took seconds.
 *
 * "Newest" is the inventory's own order everywhere: collected_at, then id. Features are stored
 * sorted and space-joined, so equal strings are equal sets.
 */
import type Database from 'better-sqlite3';

/** The per-host summary over a snapshots query (a window over each host's snapshots in time order). */
const SUMMARY_OF = (where: string) => `
  SELECT host, COUNT(*) AS snapshots, COALESCE(SUM(prev IS NOT NULL AND prev <> features), 0) AS changes,
         MAX(CASE WHEN newest = 1 THEN id END) AS latest_id, MAX(collected_at) AS latest_at,
         MAX(CASE WHEN newest = 2 THEN id END) AS previous_id
  FROM (SELECT id, host, collected_at, features,
               LAG(features) OVER (PARTITION BY host ORDER BY collected_at, id) AS prev,
               ROW_NUMBER() OVER (PARTITION BY host ORDER BY collected_at DESC, id DESC) AS newest
        FROM snapshots ${where})
  GROUP BY host`;

/** The inventory's migration step: the table, filled from the snapshots already stored. */
export const HOST_HISTORY_STEP = {
  name: 'host history: per host its snapshot count, feature changes, newest two snapshots',
  sql: `
  CREATE TABLE IF NOT EXISTS host_history (
    host TEXT PRIMARY KEY,
    snapshots INTEGER NOT NULL,
    changes INTEGER NOT NULL,
    latest_id INTEGER NOT NULL,
    latest_at TEXT NOT NULL,
    previous_id INTEGER
  );
  INSERT OR REPLACE INTO host_history (host, snapshots, changes, latest_id, latest_at, previous_id)
  ${SUMMARY_OF('')};
`,
};

export interface HostHistory {
  host: string;
  snapshots: number;
  /** Snapshots whose features differ from the one before (gained or lost) */
  changes: number;
  latest: string;
  features: string[];
  /** The features of the snapshot before the newest; null with one snapshot */
  previous: string[] | null;
}

export function hasHostHistory(db: Database.Database): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'host_history'").get();
}

interface Row {
  host: string;
  snapshots: number;
  changes: number;
  latest_id: number;
  latest_at: string;
  previous_id: number | null;
}

/**
 * After a snapshot was stored: the host's row moves on by one when the snapshot is its newest (a
 * scan, every time but with clocks that disagree), and is computed again from the host's snapshots
 * when it is not (an older snapshot stored late).
 */
export function noteSnapshot(db: Database.Database, s: { id: number; host: string; at: string; features: string }) {
  const row = db.prepare('SELECT * FROM host_history WHERE host = ?').get(s.host) as Row | undefined;
  if (row && s.at >= row.latest_at) {
    const before = db.prepare('SELECT features FROM snapshots WHERE id = ?').get(row.latest_id) as {
      features: string;
    };
    db.prepare(
      'UPDATE host_history SET snapshots = ?, changes = ?, latest_id = ?, latest_at = ?, previous_id = ? WHERE host = ?',
    ).run(row.snapshots + 1, row.changes + +(before.features !== s.features), s.id, s.at, row.latest_id, s.host);
    return;
  }
  db.prepare(
    `INSERT OR REPLACE INTO host_history (host, snapshots, changes, latest_id, latest_at, previous_id)
     ${SUMMARY_OF('WHERE host = ?')}`,
  ).run(s.host);
}

/** Every host's summary; from the snapshots themselves in an inventory older than the table. */
export function hostHistories(db: Database.Database): HostHistory[] {
  const rows = db
    .prepare(
      hasHostHistory(db)
        ? `SELECT h.host, h.snapshots, h.changes, h.latest_at, l.features, p.features AS previous
           FROM host_history h JOIN snapshots l ON l.id = h.latest_id LEFT JOIN snapshots p ON p.id = h.previous_id
           ORDER BY h.host`
        : `SELECT h.host, h.snapshots, h.changes, h.latest_at, l.features, p.features AS previous
           FROM (${SUMMARY_OF('')}) h JOIN snapshots l ON l.id = h.latest_id LEFT JOIN snapshots p ON p.id = h.previous_id
           ORDER BY h.host`,
    )
    .all() as Array<{
    host: string;
    snapshots: number;
    changes: number;
    latest_at: string;
    features: string;
    previous: string | null;
  }>;
  const list = (s: string) => (s ? s.split(' ') : []);
  return rows.map((r) => ({
    host: r.host,
    snapshots: r.snapshots,
    changes: r.changes,
    latest: r.latest_at,
    features: list(r.features),
    previous: r.previous === null ? null : list(r.previous),
  }));
}
