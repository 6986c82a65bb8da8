/**
 * Where `apply` and `prune` learn which VMs use a model: a copy of /etc/pve (`--pve-config`, or the
 * /etc/pve that holds the cpu-models.conf being edited) or the API (`--pve`). Node-only.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { connectPve, type PveConnectOptions } from '../api/connect.js';
import { readPveApiCluster } from '../config/api.js';
import { readEtcPve } from '../config/etc-pve.js';
import { modelUses, type ModelUse } from './usage.js';

export interface UsesOptions extends PveConnectOptions {
  pveConfig?: string;
}

export interface ClusterUses {
  /** null: no VM configs were read, so every existing section counts as in use */
  uses: Map<string, ModelUse[]> | null;
  /** Where they came from, for messages */
  source: string | null;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** `ROOT/virtual-guest/cpu-models.conf` with a `ROOT/nodes/` beside it: ROOT is /etc/pve (or a copy). */
export function pveRootOf(cpuModelsFile: string): string | null {
  if (basename(cpuModelsFile) !== 'cpu-models.conf' || basename(dirname(cpuModelsFile)) !== 'virtual-guest')
    return null;
  const root = dirname(dirname(cpuModelsFile));
  return isDir(join(root, 'nodes')) ? root : null;
}

export async function loadClusterUses(cpuModelsFile: string, opts: UsesOptions): Promise<ClusterUses> {
  if (opts.pve) {
    const { client, origin } = await connectPve(opts);
    return { uses: modelUses((await readPveApiCluster(client)).vms), source: origin };
  }
  const root = opts.pveConfig ?? pveRootOf(cpuModelsFile);
  if (!root) return { uses: null, source: null };
  return { uses: modelUses(readEtcPve(root).vms), source: root };
}
