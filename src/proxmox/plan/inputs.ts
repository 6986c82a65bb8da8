/**
 * What `plan`, `targets` and `serve --pve-config` read: the cluster's config (a copy of /etc/pve or
 * the API) plus host data per node. `targets VMID` reads only what that VM's answer needs: every
 * VM's location but only its own config and its keep-together partners', and the host data of the
 * nodes involved. Node-only. The CLI's options: cli/commands/plan.ts.
 */
import { isPveVmid } from '../../catalog/proxmox.js';
import { InputError } from '../../errors.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { safeLine } from '../../safe-text.js';
import { readInputText } from '../../sources/files.js';
import { CPU_MODELS_INPUT } from '../../sources/size-caps.js';
import { connectPve } from '../api/connect.js';
import type { PveClient } from '../api/index.js';
import { profilesFromPveCluster } from '../api/profiles.js';
import { readPveApiCluster } from '../config/api.js';
import type { ClusterConfig } from '../config/cluster.js';
import { readEtcPve, readEtcPveVms } from '../config/etc-pve.js';
import { compileHa, type CompiledHa } from '../ha/compile.js';
import { haSid, vmDomain } from '../ha/domains.js';
import type { PlanInput } from './types.js';

export interface ClusterInputOptions {
  pveConfig: string;
  pve?: string;
  token?: string;
  tokenFile?: string;
  fingerprint?: string;
  cpuModels?: string;
  inventory?: string;
  running?: string[];
  stopped?: string[];
}

/** Reads host data files (and the inventory the options name): the CLI's reader, with its --kernel & co. */
export type HostLoader = (inputs: string[], opts: ClusterInputOptions, wanted?: Set<string>) => Promise<HostProfile[]>;

function vmidList(values: string[] | undefined, opt: string): Set<number> {
  const out = new Set<number>();
  for (const v of (values ?? []).flatMap((s) => s.split(',')).filter(Boolean)) {
    if (!isPveVmid(v)) throw new InputError(opt, `${JSON.stringify(v)} is not a VM id`);
    out.add(Number(v));
  }
  return out;
}

/** --running / --stopped over what the config says (a copy says nothing). */
function applyRunningFlags(cluster: ClusterConfig, opts: ClusterInputOptions): void {
  const running = vmidList(opts.running, '--running');
  const stopped = vmidList(opts.stopped, '--stopped');
  for (const id of running)
    if (stopped.has(id)) throw new InputError('--stopped', `VM ${id} is also given as --running`);
  for (const vm of cluster.vms) {
    if (running.has(vm.vmid)) vm.running = true;
    if (stopped.has(vm.vmid)) vm.running = false;
  }
}

function applyCpuModels(cluster: ClusterConfig, opts: ClusterInputOptions): void {
  if (!opts.cpuModels) return;
  cluster.customModels = parseCpuModels(readInputText(opts.cpuModels, CPU_MODELS_INPUT), opts.cpuModels).models;
  cluster.customModelsFrom = opts.cpuModels;
}

/** Host profiles from the API (every node's status is fetched anyway: its problems are all reported). */
async function apiHosts(client: PveClient, origin: string, wanted?: Set<string>): Promise<HostProfile[]> {
  const { profiles, problems } = profilesFromPveCluster(await client.fetchCluster(), origin);
  // problem lines carry what the server said: one sanitized line each (the token is redacted in the client)
  for (const p of problems) process.stderr.write(`migratable: ${safeLine(p)}\n`);
  return wanted ? profiles.filter((p) => wanted.has(p.name)) : profiles;
}

/** The cluster config and the host profiles; API host data only when no host inputs are given. */
export async function loadPlanInput(
  hostInputs: string[],
  opts: ClusterInputOptions,
  loadHosts: HostLoader,
): Promise<PlanInput> {
  let cluster: ClusterConfig;
  let hosts: HostProfile[] = [];
  if (opts.pve) {
    const { client, origin } = await connectPve(opts);
    cluster = await readPveApiCluster(client);
    if (!hostInputs.length && !opts.inventory) hosts = await apiHosts(client, origin);
  } else cluster = readEtcPve(opts.pveConfig);
  if (hostInputs.length || opts.inventory || !opts.pve) hosts = await loadHosts(hostInputs, opts);
  applyCpuModels(cluster, opts);
  applyRunningFlags(cluster, opts);
  // The versions apply recorded (their hosts, dates, hashes) come with the inventory
  const modelRecords = opts.inventory ? await readModelRecords(opts.inventory) : [];
  return { ...cluster, hosts, modelRecords };
}

/** Only with --inventory: the SQLite module is loaded then, not for every plan. */
async function readModelRecords(path: string) {
  const { openInventory } = await import('../../fleet/inventory/index.js');
  const inv = openInventory(path, { readOnly: true });
  try {
    return inv.modelVersions();
  } finally {
    inv.close();
  }
}

/** Everything `targets VMID...` needs for these VMs, and nothing else; the compiled HA rules with it. */
export async function loadTargetsInput(
  vmids: number[],
  hostInputs: string[],
  opts: ClusterInputOptions,
  loadHosts: HostLoader,
): Promise<{ input: PlanInput; ha: CompiledHa }> {
  const api = opts.pve ? await connectPve(opts) : undefined;
  const where = opts.pve ?? opts.pveConfig;
  let ha: CompiledHa | undefined;
  /** The VMs asked about and their keep-together partners: the only configs read */
  const needed = (c: Omit<ClusterConfig, 'vms'>): Set<number> => {
    for (const id of vmids) if (!c.locations!.has(id)) throw new InputError('vmid', `no VM ${id} in ${where}`);
    ha = compileHa(c.ha, c.nodes);
    const read = new Set(vmids);
    for (const id of vmids)
      if (ha.managed.has(haSid(id)))
        for (const sid of ha.together.get(haSid(id)) ?? []) {
          const m = /^vm:(\d+)$/.exec(sid);
          if (m && c.locations!.has(Number(m[1])) && ha.managed.has(sid)) read.add(Number(m[1]));
        }
    return read;
  };
  let cluster: ClusterConfig;
  if (api) cluster = await readPveApiCluster(api.client, { vms: needed });
  else {
    const skeleton = readEtcPve(opts.pveConfig, { vms: [] });
    cluster = { ...skeleton, vms: readEtcPveVms(opts.pveConfig, skeleton.locations!, needed(skeleton)) };
  }
  const wanted = new Set<string>();
  for (const vm of cluster.vms) wanted.add(vm.node);
  for (const id of vmids) for (const n of vmDomain(id, cluster.nodes, ha!).nodes) wanted.add(n);
  let hosts: HostProfile[] = [];
  if (api && !hostInputs.length && !opts.inventory) hosts = await apiHosts(api.client, api.origin, wanted);
  else hosts = await loadHosts(hostInputs, opts, wanted);
  applyCpuModels(cluster, opts);
  applyRunningFlags(cluster, opts);
  return { input: { ...cluster, hosts }, ha: ha! };
}
