/** What `plan`, `targets` and `serve --pve-config` read (the options: commands/plan.ts): the cluster's config plus host data per node. */
import { isPveVmid } from '../catalog/proxmox.js';
import { readEtcPve } from '../cluster/etc-pve.js';
import { readPveApiCluster } from '../cluster/pve-api.js';
import { computePlan } from '../engine/plan.js';
import type { ClusterConfig, Plan, PlanInput } from '../engine/plan-types.js';
import { InputError } from '../errors.js';
import { parseCpuModels } from '../formats/pve-cpu-models.js';
import { profilesFromPveCluster } from '../fleet/pve/profiles.js';
import type { HostProfile } from '../profile/host-profile.js';
import { readInputText } from '../sources/files.js';
import type { ClusterInputOptions } from './commands/plan.js';
import { loadHosts } from './inputs.js';
import { connectPve } from './pve-connect.js';

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
  for (const p of problems) process.stderr.write(`migratable: ${p}\n`);
  return { cluster, hosts: profiles };
}

/** The cluster config and the host profiles; API host data only when no host inputs are given. */
export async function loadPlanInput(hostInputs: string[], opts: ClusterInputOptions): Promise<PlanInput> {
  let cluster: ClusterConfig;
  let hosts: HostProfile[] = [];
  if (opts.pve) ({ cluster, hosts } = await fromApi(opts));
  else cluster = readEtcPve(opts.pveConfig);
  if (hostInputs.length || opts.inventory || !opts.pve) hosts = await loadHosts(hostInputs, opts);
  if (opts.cpuModels) cluster.customModels = parseCpuModels(readInputText(opts.cpuModels), opts.cpuModels).models;
  const running = vmidList(opts.running, '--running');
  const stopped = vmidList(opts.stopped, '--stopped');
  for (const id of running)
    if (stopped.has(id)) throw new InputError('--stopped', `VM ${id} is also given as --running`);
  for (const vm of cluster.vms) {
    if (running.has(vm.vmid)) vm.running = true;
    if (stopped.has(vm.vmid)) vm.running = false;
  }
  return { ...cluster, hosts };
}

/** For `serve --pve-config`: the plan from the copy as it is at each call, over the served hosts. */
export function clusterPlanSource(dir: string, hosts: HostProfile[]): () => Promise<Plan> {
  return async () => computePlan({ ...readEtcPve(dir), hosts });
}
