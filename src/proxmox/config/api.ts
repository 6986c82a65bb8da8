/**
 * A Proxmox cluster's configuration through the API (read-only): GET /cluster/resources?type=vm
 * (node and running state of every VM), /nodes/{node}/qemu/{vmid}/config, /cluster/ha/groups and
 * /cluster/ha/resources (PVE 8 and 9), /cluster/ha/rules (PVE 9; pve-ha-manager 5.x
 * src/PVE/API2/HA/Rules.pm: rules with `errors` are infeasible and not applied). The config's
 * key/value object is turned back into the file's `key: value` lines and read by the same parser.
 */
import { isPveVmid } from '../../catalog/proxmox.js';
import { InputError } from '../../errors.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import { parseVmConfig } from '../../formats/pve-vm-config.js';
import { PveApiError, type PveClient } from '../api/index.js';
import type { ClusterConfig, ClusterVm } from './cluster.js';
import { combineHaConfig, parseHaNodeList, parseHaResourceList, type HaPlacement, type HaResource } from './ha.js';

type Row = Record<string, unknown>;

function rows(data: unknown, where: string): Row[] {
  if (!Array.isArray(data) || !data.every((r) => r && typeof r === 'object'))
    throw new InputError(where, 'expected a list of objects');
  return data as Row[];
}

/** An endpoint this PVE version does not have answers 501 (or 404 behind a proxy): nothing configured. */
async function optional(client: PveClient, path: string): Promise<Row[]> {
  try {
    return rows(await client.get(path), client.url(path));
  } catch (e) {
    if (e instanceof PveApiError && (e.status === 501 || e.status === 404)) return [];
    throw e;
  }
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
const truthy = (v: unknown) => v === 1 || v === '1' || v === true;

function placementsFrom(groups: Row[], rules: Row[], where: string, notes: string[]) {
  const groupPlacements: HaPlacement[] = groups.flatMap((g) => {
    const id = str(g.group);
    const nodes = str(g.nodes);
    return id && nodes
      ? [
          {
            kind: 'group' as const,
            id,
            nodes: parseHaNodeList(nodes, where),
            strict: truthy(g.restricted),
            resources: [],
          },
        ]
      : [];
  });
  const rulePlacements: HaPlacement[] = [];
  for (const r of rules) {
    const id = str(r.rule) ?? '?';
    if (r.type !== 'node-affinity') continue;
    if (r.disable !== undefined) notes.push(`HA rule '${id}' is disabled: it does not restrict its resources`);
    else if (r.errors) notes.push(`HA rule '${id}' has errors PVE reports, so it is not applied`);
    else
      rulePlacements.push({
        kind: 'rule',
        id,
        nodes: parseHaNodeList(str(r.nodes) ?? '', where),
        strict: truthy(r.strict),
        resources: parseHaResourceList(str(r.resources) ?? ''),
      });
  }
  return { groupPlacements, rulePlacements };
}

/** GET .../config data -> the text qemu-server writes (description lines as `#` comments). */
function configText(data: Row): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    if (k === 'digest' || v === null || typeof v === 'object') continue;
    if (k === 'description') for (const d of String(v).split('\n')) lines.push(`#${d}`);
    else lines.push(`${k}: ${String(v).replace(/[\r\n]+/g, ' ')}`); // one value, one line
  }
  return lines.join('\n') + '\n';
}

async function readVms(client: PveClient): Promise<ClusterVm[]> {
  const list = rows(await client.get('/cluster/resources?type=vm'), client.url('/cluster/resources'));
  const vms: ClusterVm[] = [];
  for (const r of list.filter((r) => r.type === 'qemu' && !truthy(r.template))) {
    const id = str(r.vmid);
    const node = str(r.node);
    // the same VM ids qm takes (formats/pve-vm-config.ts): 1e+23 or 0 would end up in `qm set`
    if (!id || !isPveVmid(id) || !node) continue;
    const vmid = Number(id);
    const path = `/nodes/${encodeURIComponent(node)}/qemu/${vmid}/config`;
    const data = await client.get(path);
    if (!data || typeof data !== 'object') throw new InputError(client.url(path), 'expected the VM config object');
    const where = client.url(path);
    vms.push({
      vmid,
      node,
      config: parseVmConfig(configText(data as Row), where, vmid),
      where,
      running: r.status === 'running' ? true : r.status === 'stopped' ? false : null,
    });
  }
  return vms.sort((a, b) => a.vmid - b.vmid);
}

export async function readPveApiCluster(
  client: PveClient,
  customModels: CpuModelSection[] = [],
): Promise<ClusterConfig> {
  const nodes = (await client.listNodes()).map((n) => n.node).sort();
  const where = client.url('/cluster/ha');
  const [groups, resources, rules] = await Promise.all([
    optional(client, '/cluster/ha/groups'),
    optional(client, '/cluster/ha/resources'),
    optional(client, '/cluster/ha/rules'),
  ]);
  const notes: string[] = [];
  const { groupPlacements, rulePlacements } = placementsFrom(groups, rules, where, notes);
  const haResources: HaResource[] = resources.flatMap((r) => {
    const sid = str(r.sid);
    return sid ? [{ sid, ...(str(r.group) ? { group: str(r.group) } : {}), state: str(r.state) ?? 'started' }] : [];
  });
  const ha = combineHaConfig(groupPlacements, haResources, rulePlacements);
  ha.notes.unshift(...notes);
  return { nodes, vms: await readVms(client), ha, customModels, source: client.url('') };
}
