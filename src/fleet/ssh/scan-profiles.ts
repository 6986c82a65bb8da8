import type { HostProfile } from '../../profile/host-profile.js';
import { profileFromProbe } from '../../sources/probe-reader.js';
import type { ScanResult } from './scan.js';

/**
 * The profiles of a scan's answers. Hosts are named by their own hostname; where several targets answer
 * with the same one (clones, one machine on several ports) the target as given tells them apart.
 */
export function profilesFromScan(ok: ScanResult['ok']): HostProfile[] {
  const seen = new Map<string, number>();
  for (const r of ok) if (r.probe.hostname) seen.set(r.probe.hostname, (seen.get(r.probe.hostname) ?? 0) + 1);
  return ok.map((r) => {
    const own = r.probe.hostname && seen.get(r.probe.hostname) === 1 ? r.probe.hostname : r.target.label;
    return { ...profileFromProbe(r.probe, r.target.label, own), name: own };
  });
}
