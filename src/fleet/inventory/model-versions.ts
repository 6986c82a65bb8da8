/**
 * The inventory's record of every cpu-models.conf section migratable wrote, replaced or removed: the
 * provenance Proxmox's own writer would drop from the file (CPUConfig.pm write_config keeps no
 * comments). A log: one row per change, never updated.
 *
 * Schema step `model-versions` (its own table; it touches no other step's tables): created when the
 * inventory is opened for writing, read as empty from an inventory made before it.
 */
import type Database from 'better-sqlite3';

export const MODEL_VERSIONS_STEP = {
  name: 'model-versions',
  sql: `
  CREATE TABLE IF NOT EXISTS model_versions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    family TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    section TEXT NOT NULL,
    hosts TEXT NOT NULL,
    action TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    file TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS model_versions_name ON model_versions(name, recorded_at, id);
`,
};

export interface ModelVersionRecord {
  /** The section id in cpu-models.conf (without custom-) */
  name: string;
  /** The family's base name (versions/naming.ts) */
  family: string;
  version: number;
  /** sha256 of the normalized definition (versions/content.ts) */
  contentHash: string;
  /** The section as written */
  section: string;
  /** The hosts the model was computed for, when known */
  hosts: string[];
  action: 'added' | 'replaced' | 'removed';
  recordedAt: string;
  toolVersion: string;
  file: string;
}

interface Row {
  name: string;
  family: string;
  version: number;
  content_hash: string;
  section: string;
  hosts: string;
  action: ModelVersionRecord['action'];
  recorded_at: string;
  tool_version: string;
  file: string;
}

function hasTable(db: Database.Database): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'model_versions'").get();
}

export function recordModelVersion(db: Database.Database, r: ModelVersionRecord): void {
  db.prepare(
    `INSERT INTO model_versions (name, family, version, content_hash, section, hosts, action, recorded_at, tool_version, file)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.name,
    r.family,
    r.version,
    r.contentHash,
    r.section,
    JSON.stringify(r.hosts),
    r.action,
    r.recordedAt,
    r.toolVersion,
    r.file,
  );
}

/** Every record, oldest first; [] for an inventory from before this step. */
export function modelVersionRecords(db: Database.Database): ModelVersionRecord[] {
  if (!hasTable(db)) return [];
  const rows = db.prepare('SELECT * FROM model_versions ORDER BY recorded_at, id').all() as Row[];
  return rows.map((r) => ({
    name: r.name,
    family: r.family,
    version: r.version,
    contentHash: r.content_hash,
    section: r.section,
    hosts: parseHosts(r.hosts),
    action: r.action,
    recordedAt: r.recorded_at,
    toolVersion: r.tool_version,
    file: r.file,
  }));
}

function parseHosts(s: string): string[] {
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
