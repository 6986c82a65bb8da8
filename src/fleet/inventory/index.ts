/**
 * The fleet inventory: every scan stores each host's profile with its time, so drift between
 * snapshots can be shown and baselines computed from the latest state. SQLite via better-sqlite3.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, WriteError, describeWriteErrno, isWriteErrno } from '../../errors.js';
import { HostProfileSchema, type HostProfile } from '../../profile/host-profile.js';
import { describeIdentity, judgeIdentity, otherMachineName, type HostIdentity } from './identity.js';
import { VERIFICATIONS_STEP, insertVerifications, latestVerifications, type Verification } from './verifications.js';
import {
  SCAN_RUNS_STEP,
  hostScanStats,
  insertScanRun,
  lastScanRun,
  type HostScanStats,
  type ScanRunInput,
  type ScanRunSummary,
  type ScannedSnapshot,
} from './scan-runs.js';
import { HOST_HISTORY_STEP, hostHistories, noteSnapshot, type HostHistory } from './host-history.js';
import {
  MODEL_VERSIONS_STEP,
  modelVersionRecords,
  recordModelVersion,
  type ModelVersionRecord,
} from './model-versions.js';
import { pruneInventory, type PruneCounts, type RetentionPolicy } from './retention.js';

export type { HostIdentity } from './identity.js';
export type { FailedScan, HostScanStats, ScanRunInput, ScanRunSummary } from './scan-runs.js';
export type { HostHistory } from './host-history.js';
export type { ModelVersionRecord } from './model-versions.js';
export type { PruneCounts, RetentionPolicy } from './retention.js';

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
  /** The host is itself a VM (hypervisor flag, DMI, lscpu); null when its data does not say */
  virtual: boolean | null;
  /** The module serving its /dev/kvm (kvm_intel, kvm_amd, kvm_pvm ...), when a probe said */
  kvmModule: string | null;
  /** The newest scan --verify result on this host (any model), when there is one */
  verified?: Omit<Verification, 'report'>;
}

/** One scanned host: its profile and, when known, which machine answered. */
export interface ScanEntry {
  profile: HostProfile;
  identity?: HostIdentity;
  /** The target as given, and how long its probe took: recorded with the scan run */
  target?: string;
  seconds?: number | null;
}

export interface Inventory {
  path: string;
  add(profiles: HostProfile[], now?: Date): number;
  /**
   * Stores a scan. A profile whose name already belongs to another machine (another address, no
   * matching key) is stored under `name@address` instead, with a warning; the stored profiles (as
   * named in the inventory) and the warnings come back.
   */
  addScan(entries: ScanEntry[], now?: Date, run?: ScanRunInput): { stored: HostProfile[]; warnings: string[] };
  /** scan --verify results */
  addVerifications(rows: Verification[]): number;
  /** The newest result per host and model, newest first */
  verifications(): Omit<Verification, 'report'>[];
  latestProfiles(): HostProfile[];
  hosts(): HostSummary[];
  /** Snapshots in time order, optionally for one host and from a time on */
  history(opts?: { host?: string; since?: string }): Snapshot[];
  /** Per host: snapshot count, newest time, feature changes, the newest two feature sets */
  featureSummary(): HostHistory[];
  /** The newest scan run recorded, or null */
  lastScanRun(): ScanRunSummary | null;
  /** Per host: failed scans recorded and the duration behind its latest snapshot */
  hostScanStats(): HostScanStats[];
  /** Changes whenever a scan stores anything (the newest row ids): readers cache on it */
  changeStamp(): string;
  /** Provenance of the cpu-models.conf sections `apply` wrote (model-versions.ts) */
  recordModelVersion(r: ModelVersionRecord): void;
  modelVersions(): ModelVersionRecord[];
  /** Deletes rows beyond the retention in one transaction (retention.ts); a dry run only counts them */
  prune(policy: RetentionPolicy, dryRun: boolean): PruneCounts;
  /** Rewrites the file without its free pages (after a prune) */
  vacuum(): void;
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

/**
 * The inventory's format, one step at a time: user_version counts the steps a file has had, and a
 * writable open runs the missing ones, each in its own transaction. Append steps; never change one.
 */
const MIGRATIONS: Array<{ name: string; sql: string }> = [
  { name: 'snapshots: one row per host profile per scan', sql: TABLE_SQL },
  {
    name: 'host identity: the address scanned and the key the host proved, per snapshot',
    sql: 'ALTER TABLE snapshots ADD COLUMN address TEXT; ALTER TABLE snapshots ADD COLUMN host_key TEXT;',
  },
  VERIFICATIONS_STEP,
  MODEL_VERSIONS_STEP,
  SCAN_RUNS_STEP,
  HOST_HISTORY_STEP,
];
const SCHEMA_VERSION = MIGRATIONS.length;

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++)
    db.transaction(() => {
      db.exec(MIGRATIONS[i].sql);
      db.pragma(`user_version = ${i + 1}`);
    })();
}

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

/** Only `scan` (and `inventory prune`) open for writing: it creates the file and brings its format up to date. */
function openWritable(path: string): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new WriteError(dirname(path), `cannot create the inventory's directory: ${describeWriteErrno(e)}`);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  checkVersion(db, path);
  migrate(db);
  return db;
}

/** SQLite's result codes for a system that refuses a write (better-sqlite3 puts them in `code`). */
const SQLITE_WRITE_REFUSED: Array<[RegExp, string]> = [
  [/^SQLITE_FULL$/, 'no space left on device'],
  [/^SQLITE_READONLY/, 'read-only (file system or permissions)'],
  [/^SQLITE_IOERR/, 'input/output error'],
  [/^SQLITE_CANTOPEN/, 'cannot open or create the file'],
];

/** A write the system refused (full disk, read-only filesystem): the inventory is fine, the write is not. */
function writeRefused(path: string, e: unknown): WriteError | null {
  const code = String((e as { code?: unknown }).code ?? '');
  if (isWriteErrno(e)) return new WriteError(path, `cannot write: ${describeWriteErrno(e)}`);
  const hit = SQLITE_WRITE_REFUSED.find(([re]) => re.test(code));
  if (!hit) return null;
  // SQLite reports a full disk met while growing its -shm or -wal as an I/O error (SQLITE_IOERR_SHMSIZE...)
  const why = code.startsWith('SQLITE_IOERR') && diskFull(dirname(path)) ? 'no space left on device' : hit[1];
  return new WriteError(path, `cannot write: ${why} (${code})`);
}

function diskFull(dir: string): boolean {
  try {
    return statfsSync(dir).bavail === 0;
  } catch {
    return false;
  }
}

/** SQLite errors (a damaged file, a locked one) become one line naming the inventory. */
function guarded<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError || e instanceof WriteError) throw e;
    throw (
      writeRefused(path, e) ??
      new InputError(path, `not a usable migratable inventory (SQLite): ${(e as Error).message}`)
    );
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
    addScan: (entries, now, run) => guarded(path, () => inv.addScan(entries, now, run)),
    addVerifications: (rows) => guarded(path, () => inv.addVerifications(rows)),
    verifications: () => guarded(path, () => inv.verifications()),
    latestProfiles: () => guarded(path, () => inv.latestProfiles()),
    hosts: () => guarded(path, () => inv.hosts()),
    history: (opts) => guarded(path, () => inv.history(opts)),
    featureSummary: () => guarded(path, () => inv.featureSummary()),
    lastScanRun: () => guarded(path, () => inv.lastScanRun()),
    hostScanStats: () => guarded(path, () => inv.hostScanStats()),
    changeStamp: () => guarded(path, () => inv.changeStamp()),
    recordModelVersion: (r) => guarded(path, () => inv.recordModelVersion(r)),
    modelVersions: () => guarded(path, () => inv.modelVersions()),
    prune: (policy, dryRun) => guarded(path, () => inv.prune(policy, dryRun)),
    vacuum: () => guarded(path, () => inv.vacuum()),
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
  const verified = new Map<string, Omit<Verification, 'report'>>();
  // newest first: the first one seen per host is its latest
  for (const v of latestVerifications(db)) if (!verified.has(v.host)) verified.set(v.host, v);
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
      virtual: p.hostKind ? p.hostKind.virtual : null,
      kvmModule: p.hostKind?.kvm?.module ?? null,
      ...(verified.has(s.host) ? { verified: verified.get(s.host) } : {}),
    };
  });
}

function inventoryOn(db: Database.Database, path: string, writable: boolean): Inventory {
  const insert = writable
    ? db.prepare(
        'INSERT INTO snapshots (host, collected_at, source, features, profile, address, host_key) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
    : null;
  const storedIdentity = writable
    ? db.prepare(
        'SELECT address, host_key FROM snapshots WHERE host = ? AND address IS NOT NULL ORDER BY collected_at DESC, id DESC LIMIT 1',
      )
    : null;
  const identityOf = (host: string): HostIdentity | null => {
    const row = storedIdentity!.get(host) as { address: string; host_key: string | null } | undefined;
    return row ? { address: row.address, key: row.host_key } : null;
  };
  const addScan = (entries: ScanEntry[], now = new Date(), run?: ScanRunInput) => {
    if (!insert) throw new InputError(path, 'opened read-only');
    const stored: HostProfile[] = [];
    const warnings: string[] = [];
    const scanned: ScannedSnapshot[] = [];
    db.transaction(() => {
      for (const { profile, identity, target, seconds } of entries) {
        let name = profile.name;
        if (identity) {
          const before = identityOf(name);
          const verdict = judgeIdentity(before, identity);
          if (verdict.kind === 'other') {
            name = otherMachineName(profile.name, identity);
            warnings.push(
              `${profile.name}: two machines claim this name: ${describeIdentity(identity)} now, ${describeIdentity(before!)} before; stored as ${JSON.stringify(name)}, not as the latest snapshot of ${JSON.stringify(profile.name)}`,
            );
          } else if (verdict.kind === 'rekeyed')
            warnings.push(
              `${profile.name}: ${identity.address} presents another host key than at its last scan (${before!.key} -> ${identity.key}); stored as ${JSON.stringify(name)} (reinstalled?)`,
            );
        }
        const at = profile.collectedAt ?? now.toISOString();
        const p = { ...profile, name, collectedAt: at };
        const features = [...p.features].sort().join(' ');
        const { lastInsertRowid } = insert.run(
          name,
          at,
          p.source,
          features,
          JSON.stringify(p),
          identity?.address ?? null,
          identity?.key ?? null,
        );
        stored.push(p);
        noteSnapshot(db, { id: Number(lastInsertRowid), host: name, at, features });
        scanned.push({
          host: name,
          snapshotId: Number(lastInsertRowid),
          target: target ?? name,
          seconds: seconds ?? null,
        });
      }
      if (run) insertScanRun(db, run, scanned);
    })();
    return { stored, warnings };
  };
  return {
    path,
    add(profiles, now) {
      return addScan(
        profiles.map((profile) => ({ profile })),
        now,
      ).stored.length;
    },
    addScan,
    addVerifications(rows) {
      if (!writable) throw new InputError(path, 'opened read-only');
      return insertVerifications(db, rows);
    },
    verifications() {
      return latestVerifications(db);
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
    prune(policy, dryRun) {
      if (!writable && !dryRun) throw new InputError(path, 'opened read-only');
      return pruneInventory(db, policy, dryRun);
    },
    vacuum() {
      if (!writable) throw new InputError(path, 'opened read-only');
      // VACUUM cannot change a WAL file's journal mode; close() switches back to DELETE as after a scan
      db.exec('VACUUM');
    },
    featureSummary: () => hostHistories(db),
    lastScanRun: () => lastScanRun(db),
    hostScanStats: () => hostScanStats(db),
    changeStamp() {
      // scans only add (the newest id moves); a prune deletes the oldest rows (the oldest id moves)
      const tables = ['snapshots', 'verifications', 'scan_runs'].filter(
        (t) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t),
      );
      const ids = tables.map(
        (t) =>
          db.prepare(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM ${t}`).get() as { lo: number | null; hi: number | null },
      );
      return ids.map((r) => `${r.lo ?? 0}-${r.hi ?? 0}`).join(':');
    },
    close() {
      // Back to a rollback journal once the scan is done: a WAL-mode file makes every read-only
      // opener (hosts, drift, serve) create -wal and -shm beside it. Another reader still attached
      // keeps it in WAL mode (SQLITE_BUSY): harmless, the next scan tries again.
      if (writable)
        try {
          db.pragma('journal_mode = DELETE');
        } catch {
          /* busy or full: stays WAL */
        }
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
