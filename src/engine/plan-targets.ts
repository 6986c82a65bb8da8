/**
 * Can this running VM live-migrate from its node to that one, now, with the CPU it booted with?
 * Flags through the check engine; the rest are what QEMU or the guest refuse beyond flags. Pure.
 */
import { resolveFeature } from '../catalog/index.js';
import { compareVersions, majorMinor } from '../version.js';
import type { HostProfile } from '../profile/host-profile.js';
import type { VmCpu } from '../profile/vm-cpu.js';
import { checkMatrix } from './check.js';

export interface MigrationContext {
  vm: VmCpu;
  /** The node the VM runs on now */
  source: HostProfile;
  target: HostProfile;
  /** Pinned machine version (`machine: pc-q35-8.1`), when the config pins one */
  machineVersion?: string;
}

/** `pc-i440fx-8.1+pve0`, `pc-q35-7.2`, `type=pc-q35-9.0,viommu=intel` -> 8.1 / 7.2 / 9.0; unpinned -> undefined */
export function pinnedMachineVersion(machine: string | undefined): string | undefined {
  return machine ? /(?:^|[,=])pc-(?:i440fx|q35)-(\d+\.\d+)/.exec(machine)?.[1] : undefined;
}

function sameCpu(a: HostProfile, b: HostProfile): boolean {
  if (a.vendor !== b.vendor || a.family !== b.family || a.model !== b.model || a.stepping !== b.stepping) return false;
  const fa = [...a.features].sort().join(' ');
  return fa === [...b.features].sort().join(' ');
}

function crossVendorReasons({ vm, source, target }: MigrationContext): string[] {
  if (source.vendor === target.vendor) return [];
  const out: string[] = [];
  const hc = vm.features.filter((f) => resolveFeature(f)?.hypercall);
  if (hc.length)
    out.push(
      `${hc.join(', ')} on and ${target.vendor} differs from ${source.vendor}: PV hypercalls are patched for the boot vendor (guests crashed in kvm_kick_cpu after such moves)`,
    );
  const nested = vm.features.filter((f) => resolveFeature(f)?.nested);
  if (nested.length) out.push(`nested virtualization (${nested.join(', ')}) cannot move between vendors`);
  return out;
}

export function migrationBlockers(ctx: MigrationContext): string[] {
  const { vm, source, target } = ctx;
  const reasons: string[] = [];
  if (vm.passthrough && !sameCpu(source, target))
    reasons.push(
      `cpu ${vm.model} copies ${source.name}'s CPU (${source.modelName ?? source.vendor}); ${target.name} differs (${target.modelName ?? target.vendor})`,
    );
  for (const m of checkMatrix([vm], [target]).cells[0].missing)
    reasons.push(m.why ? `${m.feature}: ${m.why}` : `missing ${m.feature}`);
  reasons.push(...crossVendorReasons(ctx));
  if (
    vm.physBits === 'host' &&
    source.physBits !== null &&
    target.physBits !== null &&
    target.physBits < source.physBits
  )
    reasons.push(
      `phys-bits host: the guest has ${source.physBits} address bits, ${target.name} only ${target.physBits}`,
    );
  if (vm.features.includes('invtsc') && !/(?:^|,)tsc-frequency=/.test(vm.cpu))
    reasons.push('invtsc without a pinned tsc-frequency: QEMU refuses to migrate the VM');
  if (source.vendor === target.vendor && vm.features.some((f) => resolveFeature(f)?.nested))
    reasons.push(
      'nested virtualization on: QEMU migrates nested guest state only with kernel support on both hosts; not treated as live-migratable',
    );
  if (
    ctx.machineVersion &&
    target.qemu &&
    compareVersions(majorMinor(target.qemu) ?? target.qemu, ctx.machineVersion) < 0
  )
    reasons.push(
      `machine version ${ctx.machineVersion} needs QEMU ${ctx.machineVersion} or newer; ${target.name} runs ${target.qemu}`,
    );
  return reasons;
}
