/**
 * What `plan`, `targets` and `serve --pve-config` read: the cluster's config (a copy of /etc/pve or
 * the API) plus host data per node. Node-only. The CLI's options: cli/commands/plan.ts.
 */
import { isPveVmid } from '../../catalog/proxmox.js';
import { InputError } from '../../errors.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { safeLine } from '../../safe-text.js';
import { readInputText } from '../../sources/files.js';
import { CPU_MODELS_INPUT } from '../../sources/size-caps.js';
import { connectPve } from '../api/connect.js';
import { profilesFromPveCluster } from '../api/profiles.js';
import { readPveApiCluster } from '../config/api.js';
import type { ClusterConfig } from '../config/cluster.js';
import { readEtcPve } from '../config/etc-pve.js';
import { openInventory } from '../../fleet/inventory/index.js';
import { computePlan } from './plan.js';
import type { Plan, PlanInput } from './types.js';

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
export type HostLoader = (inputs: string[], opts: ClusterInputOptions) => Promise<HostProfile[]>;

function vmidList(values: string[] | undefined, opt: string): Set<number> {
  const out = new Set<number>();
  for (const v of (values ?? []).flatMap((s) => s.split(',')).filter(Boolean)) {
    if (!isPveVmid(v)) throw new InputError(opt, `${JSON.stringify(v)} is not a VM id`);
    out.add(Number(v));
  }
  return out;
}

async function fromApi(opts: ClusterInputOptions): Promise<{ cluster: ClusterConfig; hosts: HostProfile[] }> {
  const { client, origin } = await connectPve(opts);
  const cluster = await readPveApiCluster(client);
  const { profiles, problems } = profilesFromPveCluster(await client.fetchCluster(), origin);
  // problem lines carry what the server said: one sanitized line each (the token is redacted in the client)
  for (const p of problems) process.stderr.write(`migratable: ${safeLine(p)}\n`);
  return { cluster, hosts: profiles };
}

/** The cluster config and the host profiles; API host data only when no host inputs are given. */
export async function loadPlanInput(
  hostInputs: string[],
  opts: ClusterInputOptions,
  loadHosts: HostLoader,
): Promise<PlanInput> {
  let cluster: ClusterConfig;
  let hosts: HostProfile[] = [];
  if (opts.pve) ({ cluster, hosts } = await fromApi(opts));
  else cluster = readEtcPve(opts.pveConfig);
  if (hostInputs.length || opts.inventory || !opts.pve) hosts = await loadHosts(hostInputs, opts);
  if (opts.cpuModels)
    cluster.customModels = parseCpuModels(readInputText(opts.cpuModels, CPU_MODELS_INPUT), opts.cpuModels).models;
  const running = vmidList(opts.running, '--running');
  const stopped = vmidList(opts.stopped, '--stopped');
  for (const id of running)
    if (stopped.has(id)) throw new InputError('--stopped', `VM ${id} is also given as --running`);
  for (const vm of cluster.vms) {
    if (running.has(vm.vmid)) vm.running = true;
    if (stopped.has(vm.vmid)) vm.running = false;
  }
  // The versions apply recorded (their hosts, dates, hashes) come with the inventory
  const modelRecords = opts.inventory ? readModelRecords(opts.inventory) : [];
  return { ...cluster, hosts, modelRecords };
}

function readModelRecords(path: string) {
  const inv = openInventory(path, { readOnly: true });
  try {
    return inv.modelVersions();
  } finally {
    inv.close();
  }
}

/** For `serve --pve-config`: the plan from the copy as it is at each call, over the served hosts. */
export function clusterPlanSource(dir: string, hosts: HostProfile[]): () => Promise<Plan> {
  return async () => computePlan({ ...readEtcPve(dir), hosts });
}
