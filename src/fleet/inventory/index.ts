/**
 * The fleet inventory: every scan stores each host's profile with its time, so drift between
 * snapshots can be shown and baselines computed from the latest state. SQLite via better-sqlite3.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../errors.js';
import { HostProfileSchema, type HostProfile } from '../../profile/host-profile.js';

const SCHEMA_VERSION = 1;

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
  close(): void;
}

interface SnapshotRow {
  id: number;
  host: string;
  collected_at: string;
  source: string;
  features: string;
  profile: string;
}

function rowToSnapshot(r: SnapshotRow): Snapshot {
  return {
    id: r.id,
    host: r.host,
    collectedAt: r.collected_at,
    source: r.source,
    features: r.features ? r.features.split(' ') : [],
    profile: HostProfileSchema.parse(JSON.parse(r.profile)) as HostProfile,
  };
}

/** Opens (or creates) the SQLite file with the snapshots table; refuses newer formats and non-inventories. */
function openDatabase(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new InputError(
        path,
        `inventory format ${version} is newer than this migratable understands (${SCHEMA_VERSION})`,
      );
    db.exec(`
      CREATE TABLE IF NOT EXISTS snapshots (
        id INTEGER PRIMARY KEY,
        host TEXT NOT NULL,
        collected_at TEXT NOT NULL,
        source TEXT NOT NULL,
        features TEXT NOT NULL,
        profile TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS snapshots_host_time ON snapshots(host, collected_at, id);
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, `not a migratable inventory (SQLite): ${(e as Error).message}`);
  }
  return db;
}

/** Per host: snapshot count and time range from SQL, the rest from its latest profile. */
function summarizeHosts(db: Database.Database, latest: HostProfile[]): HostSummary[] {
  const stats = db
    .prepare(
      'SELECT host, COUNT(*) n, MIN(collected_at) first, MAX(collected_at) latest FROM snapshots GROUP BY host ORDER BY host',
    )
    .all() as Array<{ host: string; n: number; first: string; latest: string }>;
  return stats.map((s) => {
    const p = latest.find((l) => l.name === s.host)!;
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

export function openInventory(path: string, opts: { mustExist?: boolean } = {}): Inventory {
  if (opts.mustExist && !existsSync(path))
    throw new InputError(path, 'no inventory here; run `migratable scan` first (or give --inventory another path)');
  mkdirSync(dirname(path), { recursive: true });
  const db = openDatabase(path);
  const insert = db.prepare(
    'INSERT INTO snapshots (host, collected_at, source, features, profile) VALUES (?, ?, ?, ?, ?)',
  );
  return {
    path,
    add(profiles, now = new Date()) {
      const tx = db.transaction((list: HostProfile[]) => {
        for (const p of list) {
          const at = p.collectedAt ?? now.toISOString();
          insert.run(p.name, at, p.source, [...p.features].sort().join(' '), JSON.stringify({ ...p, collectedAt: at }));
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
      return rows.map((r) => rowToSnapshot(r).profile);
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
      return rows.map(rowToSnapshot);
    },
    close() {
      db.close();
    },
  };
}

export { defaultInventoryPath } from './path.js';
