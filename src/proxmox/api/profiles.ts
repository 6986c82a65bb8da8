/**
 * Proxmox API bodies -> HostProfiles, through the same readers a user's saved JSON goes through.
 * /cluster/qemu/cpu-flags (PVE 9.2+) is KVM's own per-node answer and wins over node status flags.
 */
import { InputError } from '../../errors.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readProfilesFromText } from '../../sources/index.js';
import type { PveClusterData } from './client.js';

export function profilesFromPveCluster(
  data: PveClusterData,
  where: string,
): { profiles: HostProfile[]; problems: string[] } {
  const problems: string[] = [];
  const fromStatus = new Map<string, HostProfile>();
  for (const n of data.nodes) {
    if (n.error || !n.status) {
      problems.push(`${n.node}: ${n.error ?? 'no status'}`);
      continue;
    }
    let p: HostProfile;
    try {
      [p] = readProfilesFromText(
        JSON.stringify({ node: n.node, data: n.status }),
        `${where}/nodes/${n.node}/status`,
        n.node,
      );
    } catch (e) {
      // one node's unusable status (truncated flags, another architecture) must not hide the others
      if (!(e instanceof InputError)) throw e;
      problems.push(`${n.node}: ${e.message}`);
      continue;
    }
    fromStatus.set(n.node, { ...p, name: n.node });
  }
  if (!data.clusterCpuFlags) return { profiles: [...fromStatus.values()], problems };
  const exact = readProfilesFromText(
    JSON.stringify({ data: data.clusterCpuFlags }),
    `${where}/cluster/qemu/cpu-flags`,
    'cluster',
  );
  const profiles = exact.map((e) => {
    const s = fromStatus.get(e.name);
    // cpu-flags has the features; node status has what the CPU is and which kernel runs
    return s
      ? {
          ...e,
          vendor: e.vendor === 'unknown' ? s.vendor : e.vendor,
          family: s.family,
          model: s.model,
          stepping: s.stepping,
          modelName: s.modelName,
          kernel: s.kernel,
          physBits: s.physBits,
          microcode: s.microcode,
        }
      : e;
  });
  for (const [node, s] of fromStatus) if (!profiles.some((p) => p.name === node)) profiles.push(s);
  return { profiles, problems };
}
