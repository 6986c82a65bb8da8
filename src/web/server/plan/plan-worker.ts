/** Worker thread entry: reads the cluster copy and plans it, off the server's event loop. */
import { parentPort, workerData } from 'node:worker_threads';
import type { HostProfile } from '../../../profile/host-profile.js';
import { computeSnapshot } from './compute.js';

const { dir, hosts } = workerData as { dir: string; hosts: HostProfile[] };
let fingerprint: string | undefined;

parentPort!.on('message', (m: { id: number }) => {
  const reply = computeSnapshot(dir, hosts, fingerprint);
  if (reply.kind !== 'unchanged') fingerprint = reply.fingerprint;
  // The bodies move to the server's thread without a copy
  parentPort!.postMessage({ id: m.id, reply }, reply.kind === 'plan' ? [reply.snapshot.bodies] : []);
});
