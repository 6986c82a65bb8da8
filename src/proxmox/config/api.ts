/**
 * A Proxmox cluster's configuration through the API (read-only): GET /cluster/resources?type=vm
 * (node and running state of every VM), /nodes/{node}/qemu/{vmid}/config, /cluster/ha/groups and
 * /cluster/ha/resources (PVE 8 and 9), /cluster/ha/rules (PVE 9; pve-ha-manager 5.x
 * src/PVE/API2/HA/Rules.pm: rules with `errors` are infeasible and not applied). The config's
 * key/value object is turned back into the file's `key: value` lines and read by the same parser.
 */
import { isPveVmid } from '../../catalog/proxmox.js';
import { InputError } from '../../errors.js';
import { parseVmConfig } from '../../formats/pve-vm-config.js';
import { PveApiError, type PveClient } from '../api/index.js';
import type { ClusterConfig, ClusterVm } from './cluster.js';
import { readHaGroup, readHaResource, readHaRule, type HaConfig, type RawProps } from './ha.js';

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
  typeof v === 'string' || typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? '1' : '0') : undefined;
const truthy = (v: unknown) => v === 1 || v === '1' || v === true;

/** An API row's properties in the file's shape; bookkeeping keys are not properties. */
function props(row: Row, skip: string[]): RawProps {
  const out: RawProps = new Map();
  for (const [k, v] of Object.entries(row)) {
    if (skip.includes(k) || v === null || v === undefined) continue;
    out.set(k, { value: str(v) ?? JSON.stringify(v) });
  }
  return out;
}

function haFrom(groups: Row[], resources: Row[], rules: Row[], where: string): HaConfig {
  const notes: string[] = [];
  const ha: HaConfig = { groups: [], resources: [], rules: [], notes };
  for (const g of groups) {
    const id = str(g.group);
    const group = id ? readHaGroup(id, props(g, ['group', 'type', 'digest']), `${where}/groups`, notes) : null;
    if (group) ha.groups.push(group);
  }
  for (const r of resources) {
    const sid = str(r.sid);
    if (sid) ha.resources.push(readHaResource(sid, props(r, ['sid', 'type', 'digest']), `${where}/resources`, notes));
  }
  for (const r of rules) {
    const id = str(r.rule) ?? '?';
    // The API checks the rules as the CRM does and marks the ones it drops
    if (r.errors) {
      notes.push(`HA rule '${id}' has errors PVE reports, so it is not applied`);
      continue;
    }
    const rule = readHaRule(
      str(r.type) ?? '?',
      id,
      props(r, ['rule', 'type', 'order', 'digest', 'errors']),
      `${where}/rules`,
      notes,
    );
    if (rule) ha.rules.push(rule);
  }
  return ha;
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

type GuestRow = { vmid: number; node: string; running: boolean | null };

/** Every guest's node and state from /cluster/resources (templates included: they never run). */
async function listGuests(client: PveClient): Promise<{ vms: GuestRow[]; containers: GuestRow[] }> {
  const list = rows(await client.get('/cluster/resources?type=vm'), client.url('/cluster/resources'));
  return { vms: guests(list, 'qemu'), containers: guests(list, 'lxc') };
}

function guests(list: Row[], type: string): GuestRow[] {
  const out: GuestRow[] = [];
  for (const r of list.filter((r) => r.type === type)) {
    const id = str(r.vmid);
    const node = str(r.node);
    // the same VM ids qm takes (formats/pve-vm-config.ts): 1e+23 or 0 would end up in `qm set`
    if (!id || !isPveVmid(id) || !node) continue;
    const vmid = Number(id);
    const running = truthy(r.template) ? false : r.status === 'running' ? true : r.status === 'stopped' ? false : null;
    out.push({ vmid, node, running });
  }
  return out.sort((a, b) => a.vmid - b.vmid);
}

async function readVm(
  client: PveClient,
  vm: { vmid: number; node: string; running: boolean | null },
): Promise<ClusterVm> {
  const path = `/nodes/${encodeURIComponent(vm.node)}/qemu/${vm.vmid}/config`;
  const data = await client.get(path);
  const where = client.url(path);
  if (!data || typeof data !== 'object') throw new InputError(where, 'expected the VM config object');
  return { ...vm, config: parseVmConfig(configText(data as Row), where, vm.vmid), where };
}

export interface ApiReadOptions {
  /**
   * Read only these VMs' configs (every VM is still located); all by default. A function is asked
   * once the rest of the cluster is read (e.g. to add the VMs HA moves together).
   */
  vms?: Iterable<number> | ((cluster: Omit<ClusterConfig, 'vms'>) => Iterable<number>);
}

export async function readPveApiCluster(client: PveClient, opts: ApiReadOptions = {}): Promise<ClusterConfig> {
  const nodeList = await client.listNodes();
  const nodes = nodeList.map((n) => n.node).sort();
  const offline = nodeList
    .filter((n) => n.status !== undefined && n.status !== 'online')
    .map((n) => n.node)
    .sort();
  const where = client.url('/cluster/ha');
  const [groups, resources, rules] = await Promise.all([
    optional(client, '/cluster/ha/groups'),
    optional(client, '/cluster/ha/resources'),
    optional(client, '/cluster/ha/rules'),
  ]);
  const { vms: all, containers } = await listGuests(client);
  const rest = {
    nodes,
    offline,
    locations: new Map(all.map((v) => [v.vmid, v.node])),
    containers: new Map(containers.map((v) => [v.vmid, v.node])),
    ha: haFrom(groups, resources, rules, where),
    customModels: [],
    source: client.url(''),
  };
  const wanted = opts.vms === undefined ? null : new Set(typeof opts.vms === 'function' ? opts.vms(rest) : opts.vms);
  const vms: ClusterVm[] = [];
  for (const vm of all) if (!wanted || wanted.has(vm.vmid)) vms.push(await readVm(client, vm));
  return { ...rest, vms };
}
