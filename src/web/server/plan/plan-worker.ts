/** Worker thread entry: reads the cluster copy and plans it, and drains nodes from that plan, off the server's event loop. */
import { parentPort, workerData } from 'node:worker_threads';
import type { HostProfile } from '../../../profile/host-profile.js';
import { lowerThisWorkersPriority } from '../worker-priority.js';
import { PlanWorkerState, type PlanWorkerRequest } from './compute.js';

// A drain or a replan is one client's heavy request: the server's thread answers the others first
lowerThisWorkersPriority();

const { dir, hosts } = workerData as { dir: string; hosts: HostProfile[] };
const state = new PlanWorkerState(dir, hosts);

parentPort!.on('message', (m: { id: number } & PlanWorkerRequest) => {
  if (m.kind === 'drain') {
    parentPort!.postMessage({ id: m.id, reply: state.drain(m.node, m.request) });
    return;
  }
  const reply = state.check();
  // The bodies move to the server's thread without a copy
  parentPort!.postMessage({ id: m.id, reply }, reply.kind === 'plan' ? [reply.snapshot.bodies] : []);
});
