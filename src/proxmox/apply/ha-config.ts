/**
 * Installs the HA files `plan --ha-rules DIR` wrote (rules.cfg, or groups.cfg and resources.cfg)
 * into a cluster's ha/ directory. Node-only.
 *
 * The lock is the one Proxmox's own HA writers take: pve-ha-manager's Config.pm lock_ha_domain is
 * pve-cluster's cfs_lock_domain("ha") (Cluster.pm: mkdir /etc/pve/priv/lock/domain-ha, retried up to
 * 10 s, `utime(0, 0)` asks pmxcfs to release an expired one), held for every rules, groups and
 * resources write of the API (API2/HA/Rules.pm, Groups.pm, Resources.pm). Outside /etc/pve (a copy)
 * an exclusive lock file beside the files.
 *
 * Under the lock each file must still be what the plan read (its sha256 in the manifest): the plan
 * merged the admin's rules as they were, so a change since then means the merge is stale (exit 3,
 * nothing written). Each file is replaced atomically, keeps owner and mode, and FILE.bak keeps the
 * previous content. Groups go before resources, so a resource never names a group not yet written.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { BusyError, InputError, WriteError, describeWriteErrno } from '../../errors.js';
import { writeOutputFile } from '../../fs/output-file.js';
import { safeJson } from '../../safe-json.js';
import { writeFileAtomic } from './atomic-write.js';
import { DEFAULT_PVE_ROOT, pveLockDirFor, withFileLock, withPveDomainLock, type LockOptions } from './lock.js';

export const HA_MANIFEST = 'ha-guardrails.json';

export type HaFileName = 'groups.cfg' | 'rules.cfg' | 'resources.cfg';
const WRITE_ORDER: HaFileName[] = ['groups.cfg', 'rules.cfg', 'resources.cfg'];

export interface HaManifest {
  kind: 'migratable-ha-guardrails';
  version: 1;
  mode: 'rules' | 'groups';
  /** The config directory the plan read (e.g. /etc/pve) */
  source: string;
  files: Array<{ name: HaFileName; before: string | null; after: string }>;
}

export const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export function haManifest(
  mode: HaManifest['mode'],
  source: string,
  files: Array<{ name: HaFileName; before: string | null; after: string }>,
): HaManifest {
  return {
    kind: 'migratable-ha-guardrails',
    version: 1,
    mode,
    source,
    files: files.map((f) => ({
      name: f.name,
      before: f.before === null ? null : sha256(f.before),
      after: sha256(f.after),
    })),
  };
}

export interface ApplyHaOptions extends LockOptions {
  /** What plan --ha-rules wrote */
  dir: string;
  /** The cluster config to change (default /etc/pve) */
  pveConfig?: string;
  dryRun?: boolean;
}

export interface ApplyHaResult {
  files: Array<{ name: HaFileName; file: string; written: boolean; diff: string; backupFile?: string }>;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

async function readManifest(dir: string): Promise<{ manifest: HaManifest; contents: Map<HaFileName, string> }> {
  const path = join(dir, HA_MANIFEST);
  const text = await readIfExists(path);
  if (text === null)
    throw new InputError(dir, `no ${HA_MANIFEST}: expected the directory \`migratable plan --ha-rules DIR\` wrote`);
  let manifest: HaManifest;
  try {
    manifest = JSON.parse(text) as HaManifest;
  } catch {
    throw new InputError(path, 'not JSON');
  }
  if (manifest?.kind !== 'migratable-ha-guardrails' || manifest.version !== 1 || !Array.isArray(manifest.files))
    throw new InputError(
      path,
      'expected the manifest of `migratable plan --ha-rules` (kind migratable-ha-guardrails, version 1)',
    );
  const contents = new Map<HaFileName, string>();
  for (const f of manifest.files) {
    if (!WRITE_ORDER.includes(f.name)) throw new InputError(path, `unexpected file ${JSON.stringify(f.name)}`);
    const body = await readIfExists(join(dir, f.name));
    if (body === null || sha256(body) !== f.after)
      throw new InputError(join(dir, f.name), 'missing or edited since plan --ha-rules wrote it; run plan again');
    contents.set(f.name, body);
  }
  return { manifest, contents };
}

const stale = (file: string) =>
  new BusyError(
    file,
    'changed since `plan --ha-rules` read it: the merge with your rules is stale; nothing written, run plan again',
  );

export async function applyHaConfig(opts: ApplyHaOptions): Promise<ApplyHaResult> {
  const { manifest, contents } = await readManifest(opts.dir);
  const root = opts.pveConfig ?? DEFAULT_PVE_ROOT;
  const haDir = join(root, 'ha');
  const files = WRITE_ORDER.flatMap((name) => {
    const f = manifest.files.find((x) => x.name === name);
    return f ? [{ ...f, file: join(haDir, name), after: contents.get(name)! }] : [];
  });
  const plan = async () => {
    const out: ApplyHaResult['files'] = [];
    const befores = new Map<string, string | null>();
    for (const f of files) {
      const before = await readIfExists(f.file);
      if (before !== null && sha256(before) === sha256(f.after)) continue; // installed already
      if ((before === null ? null : sha256(before)) !== f.before) throw stale(f.file);
      befores.set(f.file, before);
      const diff = createTwoFilesPatch(
        before === null ? '/dev/null' : f.file,
        f.file,
        before ?? '',
        f.after,
        'current',
        'with CPU guardrails',
      );
      out.push({ name: f.name, file: f.file, written: false, diff });
    }
    return { out, befores };
  };
  if (opts.dryRun) return { files: (await plan()).out };
  const realHa = await realpath(haDir).catch(() => {
    throw new InputError(haDir, 'no ha/ directory here: is this /etc/pve or a copy of it?');
  });
  const locked = async () => {
    const { out, befores } = await plan();
    for (const [i, f] of files.filter((x) => befores.has(x.file)).entries()) {
      const before = befores.get(f.file)!;
      const owner = before === null ? undefined : await stat(f.file);
      const keep = { mode: owner ? owner.mode & 0o7777 : 0o640, uid: owner?.uid, gid: owner?.gid };
      await writeFileAtomic(f.file, f.after, {
        ...keep,
        beforeRename: async () => {
          // The backup first, so only the rename follows the final check (as apply does)
          if (before !== null) {
            out[i].backupFile = `${f.file}.bak`;
            await writeFileAtomic(out[i].backupFile!, before, keep);
          }
          // A writer that takes no lock changed it meanwhile: keep theirs
          if ((await readIfExists(f.file)) !== before) throw stale(f.file);
        },
      });
      out[i].written = true;
    }
    return { files: out };
  };
  // Under /etc/pve: pmxcfs's domain lock, as lock_ha_domain takes it; elsewhere a lock file
  const pveRoot = opts.pveRoot ?? DEFAULT_PVE_ROOT;
  if (pveLockDirFor(join(realHa, 'rules.cfg'), pveRoot)) return withPveDomainLock('ha', locked, { ...opts, pveRoot });
  return withFileLock(join(realHa, 'domain-ha'), locked, opts);
}

/** Writes what `apply-ha` installs: each changed file and the manifest with what it replaces. */
export async function writeHaGuardDir(
  dir: string,
  mode: HaManifest['mode'],
  source: string,
  files: Array<{ name: HaFileName; before: string | null; after: string }>,
): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((e) => {
    throw new WriteError(dir, `cannot create the directory: ${describeWriteErrno(e)}`);
  });
  // Through the one output-file writer: a link planted in DIR is refused, never followed
  for (const f of files) writeOutputFile(join(dir, f.name), f.after);
  writeOutputFile(join(dir, HA_MANIFEST), safeJson(haManifest(mode, source, files)) + '\n');
}
