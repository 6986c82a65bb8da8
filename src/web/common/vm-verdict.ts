/**
 * One verdict per VM from the VM x host check: "migrates to all", "to N of M hosts", "only within
 * group X", with the hosts folded into their CPU-model groups so a 300-host fleet fits a table. Pure.
 */
import type { CheckResult } from '../../engine/check.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

export type VerdictKind = 'all' | 'group' | 'some' | 'none';

export interface GroupVerdict {
  group: string;
  hosts: number;
  /** Hosts of the group the VM starts on */
  ok: number;
  /** Features (or model/phys-bits) some host of the group lacks, with the reason when there is one */
  missing: Array<{ feature: string; why?: string }>;
}

export interface VmVerdict {
  vm: string;
  cpu: string;
  kind: VerdictKind;
  /** "migrates to all 300 hosts", "only within Intel · Xeon E5-2690 v4" ... */
  text: string;
  groups: GroupVerdict[];
  /** Said once per VM (PV hypercalls across vendors, invtsc, host passthrough) */
  warnings: string[];
}

function groupsOf(r: CheckResult, vm: string, groupOf: (host: string) => string): GroupVerdict[] {
  const out = new Map<string, GroupVerdict>();
  for (const c of r.cells) {
    if (c.vm !== vm) continue;
    const key = groupOf(c.host);
    let g = out.get(key);
    if (!g) out.set(key, (g = { group: key, hosts: 0, ok: 0, missing: [] }));
    g.hosts++;
    if (c.ok) g.ok++;
    for (const m of c.missing) if (!g.missing.some((x) => x.feature === m.feature)) g.missing.push(m);
  }
  return [...out.values()].sort((a, b) => b.ok / b.hosts - a.ok / a.hosts || a.group.localeCompare(b.group));
}

function say(kind: VerdictKind, ok: number, total: number, full: GroupVerdict[], passthrough: boolean): string {
  if (passthrough)
    return kind === 'all'
      ? `migrates to all ${total} hosts (host CPU: they are one CPU model)`
      : 'migrates only between hosts of its boot host’s CPU model (host CPU)';
  if (kind === 'all') return `migrates to all ${total} hosts`;
  if (kind === 'none') return 'starts on no selected host';
  if (kind === 'group')
    return `migrates only within ${full.map((g) => g.group).join(' and ')} (${ok} of ${total} hosts)`;
  return `migrates to ${ok} of ${total} hosts`;
}

export function vmVerdicts(r: CheckResult, vms: VmCpu[], groupOf: (host: string) => string): VmVerdict[] {
  const byName = new Map(vms.map((v) => [v.name, v]));
  return r.vms.map((vm) => {
    const cpu = byName.get(vm);
    const groups = groupsOf(r, vm, groupOf);
    const total = groups.reduce((n, g) => n + g.hosts, 0);
    const ok = groups.reduce((n, g) => n + g.ok, 0);
    const full = groups.filter((g) => g.ok === g.hosts);
    const clean = groups.every((g) => g.ok === 0 || g.ok === g.hosts);
    const passthrough = !!cpu?.passthrough;
    // host/max: the guest gets its boot host's CPU, so it moves safely only among identical hosts
    const kind: VerdictKind = passthrough
      ? groups.length === 1 && ok === total
        ? 'all'
        : 'group'
      : ok === total
        ? 'all'
        : ok === 0
          ? 'none'
          : clean
            ? 'group'
            : 'some';
    const warnings = [
      ...new Set([...(r.vmWarnings[vm] ?? []), ...r.cells.filter((c) => c.vm === vm).flatMap((c) => c.warnings)]),
    ];
    return { vm, cpu: cpu?.cpu ?? '?', kind, text: say(kind, ok, total, full, passthrough), groups, warnings };
  });
}
