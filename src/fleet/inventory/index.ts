/**
 * The fleet inventory: every scan stores each host's profile with its time, so drift between
 * snapshots can be shown and baselines computed from the latest state. SQLite via better-sqlite3.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../errors.js';
import { HostProfileSchema, type HostProfile } from '../../profile/host-profile.js';
import {
  MODEL_VERSIONS_STEP,
  modelVersionRecords,
  recordModelVersion,
  type ModelVersionRecord,
} from './model-versions.js';

export type { ModelVersionRecord } from './model-versions.js';

/**
 * Schema steps after the snapshots table, each in its own module and named; each is idempotent
 * (CREATE ... IF NOT EXISTS), so a step added on another branch merges as one more line.
 * user_version counts them: 1 + the number of steps.
 */
const SCHEMA_STEPS: Array<{ name: string; sql: string }> = [MODEL_VERSIONS_STEP];
const SCHEMA_VERSION = 1 + SCHEMA_STEPS.length;

export interface Snapshot {
  id: number;
  host: string;
  collectedAt: string;
  source: string;
  features: string[];
  profile: HostProfile;
}

export interface HostSummary {
  host: string;
  snapshots: number;
  first: string;
  latest: string;
  vendor: string;
  modelName: string | null;
  features: number;
  exact: boolean;
}

export interface Inventory {
  path: string;
  add(profiles: HostProfile[], now?: Date): number;
  latestProfiles(): HostProfile[];
  hosts(): HostSummary[];
  /** Snapshots in time order, optionally for one host and from a time on */
  history(opts?: { host?: string; since?: string }): Snapshot[];
  /** Provenance of the cpu-models.conf sections `apply` wrote (model-versions.ts) */
  recordModelVersion(r: ModelVersionRecord): void;
  modelVersions(): ModelVersionRecord[];
  close(): void;
}

export interface OpenInventoryOptions {
  /** Reading commands (hosts, drift, baseline --inventory, serve): the file must exist and is never written. */
  readOnly?: boolean;
}

const TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    source TEXT NOT NULL,
    features TEXT NOT NULL,
    profile TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS snapshots_host_time ON snapshots(host, collected_at, id);
`;

function checkVersion(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION)
    throw new InputError(
      path,
      `inventory format ${version} is newer than this migratable understands (${SCHEMA_VERSION})`,
    );
}

/** Read-only: no journal switch, no version stamp, no table created; a foreign SQLite file is refused. */
function openReadOnly(path: string): Database.Database {
  if (!existsSync(path))
    throw new InputError(path, 'no inventory here; run `migratable scan` first (or give --inventory another path)');
  const db = new Database(path, { readonly: true, fileMustExist: true });
  checkVersion(db, path);
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'snapshots'").get())
    throw new InputError(path, 'not a migratable inventory: it has no snapshots table');
  return db;
}

/** Only `scan` opens for writing: it creates the file and brings its format up to date. */
function openWritable(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  checkVersion(db, path);
  db.exec(TABLE_SQL);
  for (const step of SCHEMA_STEPS) db.exec(step.sql);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}

/** SQLite errors (a damaged file, a locked one) become one line naming the inventory. */
function guarded<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, `not a usable migratable inventory (SQLite): ${(e as Error).message}`);
  }
}

export function openInventory(path: string, opts: OpenInventoryOptions = {}): Inventory {
  const db = guarded(path, () => (opts.readOnly ? openReadOnly(path) : openWritable(path)));
  return guardedInventory(path, inventoryOn(db, path, !opts.readOnly));
}

function guardedInventory(path: string, inv: Inventory): Inventory {
  return {
    path,
    add: (profiles, now) => guarded(path, () => inv.add(profiles, now)),
    latestProfiles: () => guarded(path, () => inv.latestProfiles()),
    hosts: () => guarded(path, () => inv.hosts()),
    history: (opts) => guarded(path, () => inv.history(opts)),
    recordModelVersion: (r) => guarded(path, () => inv.recordModelVersion(r)),
    modelVersions: () => guarded(path, () => inv.modelVersions()),
    close: () => inv.close(),
  };
}

interface SnapshotRow {
  id: number;
  host: string;
  collected_at: string;
  source: string;
  features: string;
  profile: string;
}

function rowToSnapshot(r: SnapshotRow, path: string): Snapshot {
  return {
    id: r.id,
    host: r.host,
    collectedAt: r.collected_at,
    source: r.source,
    features: r.features ? r.features.split(' ') : [],
    profile: rowProfile(r, path),
  };
}

/** Per host: snapshot count and time range from SQL, the rest from its latest profile. */
function summarizeHosts(db: Database.Database, latest: HostProfile[]): HostSummary[] {
  const byName = new Map(latest.map((p) => [p.name, p]));
  const stats = db
    .prepare(
      'SELECT host, COUNT(*) n, MIN(collected_at) first, MAX(collected_at) latest FROM snapshots GROUP BY host ORDER BY host',
    )
    .all() as Array<{ host: string; n: number; first: string; latest: string }>;
  return stats.map((s) => {
    const p = byName.get(s.host)!;
    return {
      host: s.host,
      snapshots: s.n,
      first: s.first,
      latest: s.latest,
      vendor: p.vendor,
      modelName: p.modelName,
      features: p.features.length,
      exact: p.exact,
    };
  });
}

function inventoryOn(db: Database.Database, path: string, writable: boolean): Inventory {
  const insert = writable
    ? db.prepare('INSERT INTO snapshots (host, collected_at, source, features, profile) VALUES (?, ?, ?, ?, ?)')
    : null;
  return {
    path,
    add(profiles, now = new Date()) {
      if (!insert) throw new InputError(path, 'opened read-only');
      const tx = db.transaction((list: HostProfile[]) => {
        for (const p of list) {
          const at = p.collectedAt ?? now.toISOString();
          insert!.run(
            p.name,
            at,
            p.source,
            [...p.features].sort().join(' '),
            JSON.stringify({ ...p, collectedAt: at }),
          );
        }
      });
      tx(profiles);
      return profiles.length;
    },
    latestProfiles() {
      const rows = db
        .prepare(
          `SELECT s.* FROM snapshots s WHERE s.id = (SELECT id FROM snapshots t WHERE t.host = s.host ORDER BY collected_at DESC, id DESC LIMIT 1) ORDER BY s.host`,
        )
        .all() as SnapshotRow[];
      return rows.map((r) => rowToSnapshot(r, path).profile);
    },
    hosts() {
      return summarizeHosts(db, this.latestProfiles());
    },
    history(opts = {}) {
      const where: string[] = [];
      const args: string[] = [];
      if (opts.host) {
        where.push('host = ?');
        args.push(opts.host);
      }
      if (opts.since) {
        where.push('collected_at >= ?');
        args.push(opts.since);
      }
      const rows = db
        .prepare(
          `SELECT * FROM snapshots ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY host, collected_at, id`,
        )
        .all(...args) as SnapshotRow[];
      return rows.map((r) => rowToSnapshot(r, path));
    },
    recordModelVersion(r) {
      if (!writable) throw new InputError(path, 'opened read-only');
      recordModelVersion(db, r);
    },
    modelVersions() {
      return modelVersionRecords(db);
    },
    close() {
      db.close();
    },
  };
}

export { defaultInventoryPath } from './path.js';

/** A stored profile, checked: a damaged row is named in one line, not dumped. */
function rowProfile(r: { id: number; host: string; profile: string }, path: string): HostProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(r.profile);
  } catch {
    throw new InputError(path, `snapshot ${r.id} (host ${JSON.stringify(r.host)}) is damaged: not JSON`);
  }
  const parsed = HostProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      path,
      `snapshot ${r.id} (host ${JSON.stringify(r.host)}) is damaged: ${issue.path.map(String).join('.') || 'profile'}: ${issue.message}`,
    );
  }
  return parsed.data as HostProfile;
}
