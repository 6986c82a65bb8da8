/**
 * A Proxmox cluster's configuration from /etc/pve (or a copy of it): nodes/<node>/ directories,
 * nodes/<node>/qemu-server/<vmid>.conf, ha/{groups,resources,rules}.cfg,
 * virtual-guest/cpu-models.conf and, when the copy has it, `.members` (pmxcfs's list of members
 * with their `online` flag, pve-cluster 9.1.6 src/pmxcfs/status.c cfs_create_memberlist_msg).
 * Node-only. A copy says nothing about which VMs run: running is null.
 *
 * pmxcfs holds regular files only; anything else where a file belongs (a FIFO, a device) is refused
 * before it is opened, so a planted FIFO never makes a reader wait.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isPveVmid } from '../../catalog/proxmox.js';
import { InputError } from '../../errors.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import { parseVmConfig } from '../../formats/pve-vm-config.js';
import { describeFsError } from '../../sources/bounded-read.js';
import { CPU_MODELS_INPUT, pveFileInput, type InputKind } from '../../sources/size-caps.js';
import type { ClusterConfig, ClusterVm } from './cluster.js';
import { readHaFiles, type HaConfig, type HaFileKey } from './ha.js';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const VM_CONFIG_INPUT = pveFileInput('a Proxmox VM config (qemu-server/<vmid>.conf)');
const HA_INPUT = pveFileInput('a Proxmox HA config (groups.cfg, resources.cfg or rules.cfg)');
const MEMBERS_INPUT = pveFileInput("pmxcfs's .members (JSON)");

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * The text of a file of the copy, null when it is absent. Opened without blocking and checked on the
 * open descriptor, so a FIFO or device planted where a file belongs is refused before anything waits
 * on it; a regular file is read whole in one go (a copy holds thousands of them), bounded by pmxcfs's
 * limit, with the same errors as every other input (sources/bounded-read.ts).
 */
function pveFileText(p: string, kind: InputKind, optional: boolean): string | null {
  let fd: number;
  try {
    fd = openSync(p, OPEN_FLAGS);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && optional) return null;
    throw new InputError(p, `cannot read: ${describeFsError(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new InputError(p, `is not a regular file; expected ${kind.expected}, as pmxcfs stores only regular files`);
    const cap = `${Math.round(kind.maxBytes / 1048576)} MiB`;
    if (st.size > kind.maxBytes) throw new InputError(p, `input larger than ${cap}; expected ${kind.expected}`);
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    for (let got = -1; got !== 0 && n < st.size; n += got) got = readSync(fd, buf, n, st.size - n, null);
    if (buf.subarray(0, n).includes(0)) throw new InputError(p, `binary data, not text; expected ${kind.expected}`);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** Where each guest's config is: vmid -> node (pmxcfs keeps a vmid unique cluster-wide). */
function locateVms(
  dir: string,
  nodes: string[],
  notes: string[],
  kind: 'qemu-server' | 'lxc' = 'qemu-server',
): Map<number, string> {
  const where = new Map<number, string>();
  for (const node of nodes) {
    const qs = join(dir, 'nodes', node, kind);
    if (!isDir(qs)) continue;
    for (const f of readdirSync(qs).sort()) {
      const m = /^(.*)\.conf$/.exec(f);
      if (!m) continue;
      // pmxcfs reads only `<digits>.conf` without a leading zero that fits 32 bits as a VM config
      // (pve-cluster 7091d92e, src/pmxcfs/memdb.c name_is_vm_config) and qm takes only 100-999999999:
      // `0.conf` or `99999999999999999999999.conf` are no VMs
      if (!isPveVmid(m[1])) {
        notes.push(
          `${join(qs, f)}: skipped, ${JSON.stringify(m[1])} is not a VM id (100-999999999) pmxcfs and qm know`,
        );
        continue;
      }
      const vmid = Number(m[1]);
      if (where.has(vmid))
        throw new InputError(join(qs, f), `VM ${vmid} is also configured on node ${where.get(vmid)}`);
      where.set(vmid, node);
    }
  }
  return where;
}

/** The VM configs named (all of them by default), parsed. */
export function readEtcPveVms(dir: string, locations: Map<number, string>, only?: Iterable<number>): ClusterVm[] {
  const ids = only ? [...new Set(only)].filter((id) => locations.has(id)) : [...locations.keys()];
  return ids
    .sort((a, b) => a - b)
    .map((vmid) => {
      const node = locations.get(vmid)!;
      const where = join(dir, 'nodes', node, 'qemu-server', `${vmid}.conf`);
      const config = parseVmConfig(pveFileText(where, VM_CONFIG_INPUT, false)!, where, vmid);
      return { vmid, node, config, where, running: null };
    });
}

/** `.members`: the nodes pmxcfs saw offline when the copy was made. */
function offlineMembers(dir: string, nodes: string[]): string[] {
  const p = join(dir, '.members');
  const text = pveFileText(p, MEMBERS_INPUT, true);
  if (text === null) return [];
  let list: unknown;
  try {
    list = (JSON.parse(text) as { nodelist?: unknown }).nodelist;
  } catch (e) {
    throw new InputError(p, `invalid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (list === undefined) return []; // a single node without a cluster has no list
  if (!list || typeof list !== 'object') throw new InputError(p, 'expected "nodelist": { NODE: { online: 0|1 } }');
  return Object.entries(list as Record<string, { online?: unknown }>)
    .filter(([n, v]) => nodes.includes(n) && v && typeof v === 'object' && (v.online === 0 || v.online === false))
    .map(([n]) => n)
    .sort();
}

/** The HA files' texts (null: missing), read as every file of the copy is; what `plan --ha-rules` merges into. */
export function readEtcPveHaTexts(dir: string): Record<HaFileKey, string | null> {
  const read = (f: string) => pveFileText(join(dir, 'ha', f), HA_INPUT, true);
  return { groups: read('groups.cfg'), resources: read('resources.cfg'), rules: read('rules.cfg') };
}

export function readEtcPveHa(dir: string): HaConfig {
  return readHaFiles(readEtcPveHaTexts(dir), (f) => join(dir, 'ha', f)).config;
}

export interface EtcPveReadOptions {
  /** Parse only these VMs' configs (every VM is still located); all by default */
  vms?: Iterable<number>;
}

export function readEtcPve(dir: string, opts: EtcPveReadOptions = {}): ClusterConfig {
  const nodesDir = join(dir, 'nodes');
  if (!isDir(nodesDir))
    throw new InputError(dir, 'expected /etc/pve or a copy of it, with a nodes/<node>/ directory per cluster node');
  const nodes = readdirSync(nodesDir)
    .filter((n) => isDir(join(nodesDir, n)))
    .sort();
  if (!nodes.length) throw new InputError(nodesDir, 'no node directories');
  const modelsFile = join(dir, 'virtual-guest', 'cpu-models.conf');
  const modelsText = pveFileText(modelsFile, CPU_MODELS_INPUT, true);
  const ha = readEtcPveHa(dir);
  const locations = locateVms(dir, nodes, ha.notes);
  return {
    nodes,
    offline: offlineMembers(dir, nodes),
    vms: readEtcPveVms(dir, locations, opts.vms),
    locations,
    containers: locateVms(dir, nodes, ha.notes, 'lxc'),
    ha,
    customModels: modelsText === null ? [] : parseCpuModels(modelsText, modelsFile).models,
    ...(modelsText === null ? {} : { customModelsFrom: modelsFile }),
    source: dir,
  };
}

/**
 * A cheap fingerprint of everything readEtcPve reads (names, sizes, change times; no contents), so
 * a long-running reader (serve) re-reads only when the copy changed.
 */
export function etcPveFingerprint(dir: string): string {
  const parts: string[] = [];
  const add = (p: string) => {
    try {
      const st = statSync(p);
      parts.push(`${p}\u0000${st.size}\u0000${st.mtimeMs}\u0000${st.ctimeMs}\u0000${st.ino}`);
    } catch {
      parts.push(`${p}\u0000-`);
    }
  };
  const list = (p: string) => {
    try {
      return readdirSync(p).sort();
    } catch {
      return [];
    }
  };
  for (const f of ['ha/groups.cfg', 'ha/resources.cfg', 'ha/rules.cfg', 'virtual-guest/cpu-models.conf', '.members'])
    add(join(dir, f));
  for (const node of list(join(dir, 'nodes'))) {
    add(join(dir, 'nodes', node));
    const qs = join(dir, 'nodes', node, 'qemu-server');
    add(qs);
    for (const f of list(qs)) if (f.endsWith('.conf')) add(join(qs, f));
  }
  return parts.join('\n');
}
