/**
 * Incus: the CPU model of live-migratable VMs comes from the cluster group keys
 * instances.vm.cpu.<arch>.baseline/.flags (limits.cpu is only the count or pinning). Incus joins
 * baseline and flags into -cpu verbatim and adds no enforce (lxc/incus cpuType()). Written in the
 * current `set GROUP KEY=VALUE...` form (cmd/incus/cluster_group.go, `<group> <key>=<value>...`);
 * the older `set GROUP KEY VALUE` form is deprecated.
 */
import type { BaselineResult } from '../engine/types.js';
import { checkResult } from './guard.js';
import { libvirtModelName } from './libvirt-names.js';

export interface IncusOptions {
  /** Cluster group to configure (default: default) */
  incusGroup?: string;
}

export function emitIncus(result: BaselineResult, opts: IncusOptions = {}): string {
  const model = checkResult(result, 'incus');
  const group = opts.incusGroup ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(group))
    throw new Error(`--format incus: bad cluster group name ${JSON.stringify(group)}`);
  // Incus sizes memory hotplug for the exact name kvm64, so the unversioned spelling is kept where QEMU has one.
  const baseline = libvirtModelName(model);
  const flags = [...[...result.plus].sort().map((f) => `+${f}`), ...[...result.minus].sort().map((f) => `-${f}`)];
  if (result.physBits !== null) flags.push(`phys-bits=${result.physBits}`);
  const lines = [
    '# Incus cluster group: applies to VMs with migration.stateful=true on its members.',
    '# Incus adds no enforce: QEMU silently drops a feature a host lacks, so keep every member in this group.',
  ];
  if (result.vendors.length > 1) {
    lines.push('# Pinned limits.cpu with SMT siblings makes Incus add an AMD-only topology flag: avoid it here.');
  }
  lines.push(
    `incus cluster group set ${group} instances.vm.cpu.x86_64.baseline=${baseline.name} ` +
      `'instances.vm.cpu.x86_64.flags=${flags.join(',')}'`,
  );
  return lines.join('\n') + '\n';
}
