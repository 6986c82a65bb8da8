/** For `serve --pve-config`: the drain report from the copy as it is at each call, over the served hosts. Node-only. */
import type { HostProfile } from '../../profile/host-profile.js';
import { readEtcPve } from '../config/etc-pve.js';
import { computePlan } from '../plan/plan.js';
import { computeDrain, type DrainOptions, type DrainReport } from './drain.js';

export interface DrainSource {
  nodes(): Promise<string[]>;
  drain(node: string, opts?: DrainOptions): Promise<DrainReport>;
}

export function clusterDrainSource(dir: string, hosts: HostProfile[]): DrainSource {
  return {
    nodes: async () => readEtcPve(dir).nodes,
    drain: async (node, opts = {}) => {
      const input = { ...readEtcPve(dir), hosts };
      return computeDrain(input, computePlan(input), node, opts);
    },
  };
}
