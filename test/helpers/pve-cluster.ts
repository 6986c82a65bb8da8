/** The three-node plan fixture: Broadwell and Haswell Xeons (pve1, pve2) and an EPYC Naples (pve3). */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, repoRoot } from './paths.js';

export const CLUSTER_NODE_DUMPS: Record<string, string> = {
  pve1: 'Xeon-E5-2690-v4_broadwell.cpuinfo',
  pve2: 'Xeon-E5-2680-v3_haswell.cpuinfo',
  pve3: 'EPYC-7301_naples.cpuinfo',
};

export const clusterFixtureDir = join(repoRoot, 'test/fixtures/pve-cluster');
/** /etc/pve copies: pve9 has an HA node-affinity rule, pve8 an HA group */
export const etcPveCopy = (v: 'pve8' | 'pve9') => join(clusterFixtureDir, v, 'etc-pve');
export const clusterApiDir = join(clusterFixtureDir, 'api-9.1');

/** A directory of cpuinfo dumps named after the nodes (host data for `plan`). */
export function clusterHostsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plan-hosts-'));
  for (const [node, dump] of Object.entries(CLUSTER_NODE_DUMPS))
    copyFileSync(join(fixturesDir, dump), join(dir, `${node}.cpuinfo`));
  return dir;
}
