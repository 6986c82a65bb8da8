/**
 * Will this VM start on that host, and is moving it there safe? Pure: VMs + HostProfiles in,
 * a VM x host matrix out, with the exact missing features and the reason for the non-obvious ones.
 */
import type { HostProfile } from '../profile/host-profile.js';
import type { VmCpu } from '../profile/vm-cpu.js';
import { computeBaseline } from './baseline.js';
import type { MissingFeature } from './rules/scopes.js';
import { MIGRATION_RULES } from './rules/table.js';

export type { MissingFeature } from './rules/scopes.js';

export interface CheckCell {
  vm: string;
  host: string;
  ok: boolean;
  missing: MissingFeature[];
  warnings: string[];
}

export interface Suggestion {
  vm: string;
  /** Drop these explicitly added flags and the VM runs everywhere */
  dropFlags?: string[];
  /** Or switch to the cluster baseline */
  useBaseline?: { cpu: string; name: string };
  text: string;
}

export interface CheckResult {
  cells: CheckCell[];
  vms: string[];
  hosts: string[];
  suggestions: Suggestion[];
  /** Warnings about a VM that hold on every host */
  vmWarnings: Record<string, string[]>;
}

/** Two VMs with one name (two files, two hosts' vmids) stay two rows: later ones get " #2", " #3". */
function distinctNames(vms: VmCpu[]): VmCpu[] {
  const given = new Set(vms.map((vm) => vm.name));
  const used = new Set<string>();
  return vms.map((vm) => {
    let name = vm.name;
    for (let n = 2; used.has(name); n++) {
      name = `${vm.name} #${n}`;
      if (given.has(name)) name = vm.name; // a VM really has that name: keep counting
    }
    used.add(name);
    return name === vm.name ? vm : { ...vm, name };
  });
}

/** One VM on one host: every migration rule's start scope, in table order. */
function cell(vm: VmCpu, host: HostProfile, crossVendor: boolean): CheckCell {
  const warnings: string[] = [];
  const missing: MissingFeature[] = [];
  for (const rule of MIGRATION_RULES) {
    const found = rule.start?.({ vm, host, crossVendor });
    if (found?.missing) missing.push(...found.missing);
    if (found?.warnings) warnings.push(...found.warnings);
  }
  return { vm: vm.name, host: host.name, ok: missing.length === 0, missing, warnings };
}

/** One VM on one host, without the matrix's suggestions: will it start there (QEMU's enforce)? */
export function checkCell(vm: VmCpu, host: HostProfile): CheckCell {
  return cell(vm, host, false);
}

export function checkMatrix(vmList: VmCpu[], hosts: HostProfile[]): CheckResult {
  const vms = distinctNames(vmList);
  const crossVendor = new Set(hosts.map((h) => h.vendor)).size > 1;
  // VM-major: VM i's cells are cells[i * hosts.length ...], so each VM reads its own row (linear, not VMs x cells)
  const rows = vms.map((vm) => hosts.map((h) => cell(vm, h, crossVendor)));
  const cells = rows.flat();
  const suggestions: Suggestion[] = [];
  let baseline: ReturnType<typeof computeBaseline> | null = null;
  for (const [i, vm] of vms.entries()) {
    const failing = rows[i].filter((c) => !c.ok);
    if (!failing.length && !vm.passthrough) continue;
    const missing = new Set(failing.flatMap((c) => c.missing.map((m) => m.feature)));
    const s: Suggestion = { vm: vm.name, text: '' };
    if (missing.size && [...missing].every((f) => vm.added.includes(f) || vm.hyperv?.includes(f)))
      s.dropFlags = [...missing].sort();
    baseline ??= hosts.length ? computeBaseline(hosts, { skipExplain: true }) : null;
    if (baseline) s.useBaseline = { cpu: baseline.cpu, name: baseline.name };
    s.text = [
      s.dropFlags ? `drop ${s.dropFlags.map((f) => `+${f}`).join(', ')} from the VM's CPU flags` : null,
      s.useBaseline
        ? `${s.dropFlags ? 'or ' : ''}switch to the cluster baseline (cpu: custom-${s.useBaseline.name})`
        : null,
    ]
      .filter(Boolean)
      .join('; ');
    suggestions.push(s);
  }
  const vmWarnings = Object.fromEntries(vms.map((vm) => [vm.name, vm.notes]));
  return { cells, vms: vms.map((v) => v.name), hosts: hosts.map((h) => h.name), suggestions, vmWarnings };
}
