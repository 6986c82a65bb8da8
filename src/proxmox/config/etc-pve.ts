/**
 * A Proxmox cluster's configuration from /etc/pve (or a copy of it): nodes/<node>/ directories,
 * nodes/<node>/qemu-server/<vmid>.conf, ha/{groups,resources,rules}.cfg and
 * virtual-guest/cpu-models.conf. Node-only. A copy says nothing about which VMs run: running is null.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isPveVmid } from '../../catalog/proxmox.js';
import { InputError } from '../../errors.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import { parseVmConfig } from '../../formats/pve-vm-config.js';
import { readInputText } from '../../sources/files.js';
import { CPU_MODELS_INPUT, pveFileInput, type InputKind } from '../../sources/size-caps.js';
import type { ClusterConfig, ClusterVm } from './cluster.js';
import { combineHaConfig, parseHaGroups, parseHaResources, parseHaRules } from './ha.js';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const VM_CONFIG_INPUT = pveFileInput('a Proxmox VM config (qemu-server/<vmid>.conf)');
const HA_INPUT = pveFileInput('a Proxmox HA config (groups.cfg, resources.cfg or rules.cfg)');

const optionalText = (p: string, kind: InputKind): string | null => (existsSync(p) ? readInputText(p, kind) : null);

function readVms(dir: string, nodes: string[], notes: string[]): ClusterVm[] {
  const vms: ClusterVm[] = [];
  const seen = new Map<number, string>();
  for (const node of nodes) {
    const qs = join(dir, 'nodes', node, 'qemu-server');
    if (!isDir(qs)) continue;
    for (const f of readdirSync(qs).sort()) {
      const m = /^(.*)\.conf$/.exec(f);
      if (!m) continue;
      const where = join(qs, f);
      // pmxcfs reads only `<digits>.conf` without a leading zero that fits 32 bits as a VM config
      // (pve-cluster 7091d92e, src/pmxcfs/memdb.c name_is_vm_config) and qm takes only 100-999999999:
      // `0.conf` or `99999999999999999999999.conf` are no VMs
      if (!isPveVmid(m[1])) {
        notes.push(`${where}: skipped, ${JSON.stringify(m[1])} is not a VM id (100-999999999) pmxcfs and qm know`);
        continue;
      }
      const vmid = Number(m[1]);
      // pmxcfs keeps a vmid unique cluster-wide; two files mean a broken copy
      if (seen.has(vmid)) throw new InputError(where, `VM ${vmid} is also configured on node ${seen.get(vmid)}`);
      seen.set(vmid, node);
      vms.push({
        vmid,
        node,
        config: parseVmConfig(readInputText(where, VM_CONFIG_INPUT), where, vmid),
        where,
        running: null,
      });
    }
  }
  return vms;
}

export function readEtcPve(dir: string): ClusterConfig {
  const nodesDir = join(dir, 'nodes');
  if (!isDir(nodesDir))
    throw new InputError(dir, 'expected /etc/pve or a copy of it, with a nodes/<node>/ directory per cluster node');
  const nodes = readdirSync(nodesDir)
    .filter((n) => isDir(join(nodesDir, n)))
    .sort();
  if (!nodes.length) throw new InputError(nodesDir, 'no node directories');
  const ha = (f: string) => join(dir, 'ha', f);
  const notes: string[] = [];
  const groupsText = optionalText(ha('groups.cfg'), HA_INPUT);
  const resourcesText = optionalText(ha('resources.cfg'), HA_INPUT);
  const rulesText = optionalText(ha('rules.cfg'), HA_INPUT);
  const haConfig = combineHaConfig(
    groupsText === null ? [] : parseHaGroups(groupsText, ha('groups.cfg')),
    resourcesText === null ? [] : parseHaResources(resourcesText, ha('resources.cfg')),
    rulesText === null ? [] : parseHaRules(rulesText, ha('rules.cfg'), notes),
  );
  const vms = readVms(dir, nodes, notes);
  haConfig.notes.unshift(...notes);
  const modelsFile = join(dir, 'virtual-guest', 'cpu-models.conf');
  const modelsText = optionalText(modelsFile, CPU_MODELS_INPUT);
  return {
    nodes,
    vms,
    ha: haConfig,
    customModels: modelsText === null ? [] : parseCpuModels(modelsText, modelsFile).models,
    source: dir,
  };
}
