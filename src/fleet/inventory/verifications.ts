/**
 * Proof per node: what `scan --verify MODEL` found on each node (started and saw the promise, refused
 * with QEMU's words, could not run and why), keyed by the model's content hash so runs of the same
 * model from different files, or on different days, line up.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/** The inventory's migration step that adds the table (see MIGRATIONS in index.ts). */
export const VERIFICATIONS_STEP = {
  name: 'verifications: scan --verify results per node and model',
  sql: `
  CREATE TABLE IF NOT EXISTS verifications (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    target TEXT NOT NULL,
    verified_at TEXT NOT NULL,
    model_hash TEXT NOT NULL,
    model_cpu TEXT NOT NULL,
    model_name TEXT,
    outcome TEXT NOT NULL,
    accel TEXT,
    qemu TEXT,
    detail TEXT NOT NULL,
    report TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS verifications_host_time ON verifications(host, verified_at, id);
  CREATE INDEX IF NOT EXISTS verifications_model ON verifications(model_hash, verified_at, id);
`,
};

/** What a node said: verify's outcomes, plus unreachable when SSH never got there. */
export type NodeOutcome = 'match' | 'mismatch' | 'refused' | 'failed' | 'timeout' | 'unrun' | 'unreachable';

export interface Verification {
  host: string;
  /** The target as given ([user@]host[:port]) */
  target: string;
  verifiedAt: string;
  /** sha256 of the -cpu string booted (with enforce): the model's content, wherever it came from */
  modelHash: string;
  modelCpu: string;
  modelName: string | null;
  outcome: NodeOutcome;
  accel: string | null;
  qemu: string | null;
  /** One line: what it saw, QEMU's own refusal, or why it could not run */
  detail: string;
  /** The full verify report (JSON), or {} for unreachable nodes */
  report: unknown;
}

/** The model's content hash: sha256 of the -cpu string as booted. */
export function modelHash(bootedCpu: string): string {
  return createHash('sha256').update(bootedCpu.trim()).digest('hex');
}

export function hasVerifications(db: Database.Database): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'verifications'").get();
}

export function insertVerifications(db: Database.Database, rows: Verification[]): number {
  const insert = db.prepare(
    `INSERT INTO verifications (host, target, verified_at, model_hash, model_cpu, model_name, outcome, accel, qemu, detail, report)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction((list: Verification[]) => {
    for (const v of list)
      insert.run(
        v.host,
        v.target,
        v.verifiedAt,
        v.modelHash,
        v.modelCpu,
        v.modelName,
        v.outcome,
        v.accel,
        v.qemu,
        v.detail,
        JSON.stringify(v.report ?? {}),
      );
  })(rows);
  return rows.length;
}

interface Row {
  host: string;
  target: string;
  verified_at: string;
  model_hash: string;
  model_cpu: string;
  model_name: string | null;
  outcome: string;
  accel: string | null;
  qemu: string | null;
  detail: string;
}

/** The newest result per host and model, newest first (the report JSON is left out: it is large). */
export function latestVerifications(db: Database.Database): Omit<Verification, 'report'>[] {
  if (!hasVerifications(db)) return [];
  const rows = db
    .prepare(
      `SELECT v.host, v.target, v.verified_at, v.model_hash, v.model_cpu, v.model_name, v.outcome, v.accel, v.qemu, v.detail
       FROM verifications v
       WHERE v.id = (SELECT id FROM verifications w WHERE w.host = v.host AND w.model_hash = v.model_hash
                     ORDER BY verified_at DESC, id DESC LIMIT 1)
       ORDER BY v.verified_at DESC, v.host`,
    )
    .all() as Row[];
  return rows.map((r) => ({
    host: r.host,
    target: r.target,
    verifiedAt: r.verified_at,
    modelHash: r.model_hash,
    modelCpu: r.model_cpu,
    modelName: r.model_name,
    outcome: r.outcome as NodeOutcome,
    accel: r.accel,
    qemu: r.qemu,
    detail: r.detail,
  }));
}
