/**
 * What a VM's own config says about whether it can move at all, from qemu-server's rules. Pure.
 *
 * - `template: 1`: a template never starts ("you can't start a vm if it's a template",
 *   qemu-server 9.2.6 e6352be6 src/PVE/QemuServer.pm vm_start; is_template in pve-guest-common (1a400a9)
 *   src/PVE/AbstractConfig.pm tests `template == 1`), so it never runs, never live-migrates and
 *   never needs a restart; its cpu: still matters, because clones copy it.
 * - `lock: NAME` (backup, clone, create, migrate, rollback, snapshot, snapshot-delete, suspending,
 *   suspended: QemuServer.pm's `lock` enum): migrate_vm and the migrate precondition call
 *   check_lock first (src/PVE/API2/Qemu.pm), which dies "VM is locked (NAME)"
 *   (AbstractConfig.pm check_lock), and so does `qm set` (update_vm_api) unless --skiplock.
 */
import type { ClusterVm } from '../config/cluster.js';

export interface VmState {
  template: boolean;
  lock?: string;
}

export function vmState(vm: ClusterVm): VmState {
  const lock = vm.config.raw.lock;
  return { template: /^\s*1\s*$/.test(vm.config.raw.template ?? ''), ...(lock ? { lock } : {}) };
}

/** Why a VM in this state has no live target now, if it has none for that reason. */
export function stateBlocker(state: VmState): string | undefined {
  if (state.template) return 'a template (template: 1) never runs, so it never live-migrates';
  if (state.lock) return `VM is locked (${state.lock}): qm migrate refuses it until the lock is released (check_lock)`;
  return undefined;
}
