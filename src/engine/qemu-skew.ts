/**
 * Hosts running different QEMU releases: what changed between the oldest and the newest that matters for
 * live migration (data/qemu-changes.json, each change with its source), and the names the newer releases
 * know that the model leaves out because the oldest lacks them.
 */
import { knownIn, qemuChangesBetween, resolveFeature } from '../catalog/index.js';
import { compareVersions, majorMinor } from '../version.js';
import type { HostSet } from './hosts.js';
import { someNames } from './some-names.js';
import type { Warning } from './types.js';

const release = (v: string) => majorMinor(v) ?? v;

export function qemuSkew(set: HostSet): Warning[] {
  const releases = [...new Set(set.hosts.flatMap((h) => (h.qemu ? [release(h.qemu)] : [])))].sort(compareVersions);
  if (releases.length < 2) return [];
  const oldest = releases[0];
  const newest = releases[releases.length - 1];
  const vendors = new Set(set.vendors);
  const changes = qemuChangesBetween(oldest, newest).filter((c) => c.vendor === null || vendors.has(c.vendor));
  // what every host offers and the model cannot have only because the oldest QEMU lacks the name
  const newerNames = [...set.counts].flatMap(([f, n]) => {
    const since = resolveFeature(f)?.qemu ?? null;
    return n === set.hosts.length && knownIn(since, newest) && !knownIn(since, oldest) ? [f] : [];
  });
  const listed = changes.map((c, i) => `(${i + 1}) ${c.release}: ${c.summary} [${c.source}]`);
  if (newerNames.length)
    listed.push(
      `names QEMU ${newest} knows and ${oldest} does not, left out of the model: ${someNames(newerNames.sort(), 12)}`,
    );
  return [
    {
      code: 'qemu-skew',
      message: `hosts run QEMU ${releases.join(', ')}: the model uses only what QEMU ${oldest} knows${listed.length ? `; what changed up to ${newest} that matters for live migration: ${listed.join('; ')}` : ''}`,
      advice: `start VMs with a machine type QEMU ${oldest} has (e.g. pc-q35-${oldest}, or pin it in the VM config): QEMU keeps a versioned machine type's guest CPUID in newer releases, never a newer machine type on an older release; upgrade the oldest hosts to close the gap`,
    },
  ];
}
