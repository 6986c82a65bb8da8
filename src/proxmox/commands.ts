/**
 * The command lines migratable prints for a Proxmox cluster, spelled once: the plan's rollout steps
 * and `apply --vm` use these (run them on any node of the cluster).
 */
import { isPveVmid } from '../catalog/proxmox.js';
import { InputError } from '../errors.js';
import { GENERATED_MODEL_NAME_RE } from '../formats/pve-cpu-models.js';
import { shellWord } from '../formats/shell-word.js';

/**
 * Adds a generated cpu-models.conf section (the file `plan --write-models` or `baseline --format pve`
 * wrote). The path is one shell word: a DIR may hold spaces, quotes or `$(...)`.
 */
export function applyModelCommand(sectionFile: string): string {
  return `migratable apply ${shellWord(sectionFile)}`;
}

/**
 * Points a VM at a custom model. It replaces the VM's whole `cpu:` value, so VM-level options
 * (flags=, phys-bits=, ...) are dropped; a running VM keeps its CPU until a full stop and start.
 */
export function qmSetCpuCommand(vmid: number | string, modelName: string): string {
  return `qm set ${vmid} --cpu custom-${modelName}`;
}

/**
 * A full stop and start, which a pending CPU change needs: "Reboot the VM by shutting it down, and
 * starting it again. Applies pending changes." (qemu-server 9.2.6, src/PVE/API2/Qemu.pm, vm_reboot).
 */
export function qmRebootCommand(vmid: number | string): string {
  return `qm reboot ${vmid}`;
}

/**
 * A live migration (`--online`) or, for a stopped VM, an offline one. On an HA-managed VM qm hands
 * migrate, shutdown and start to the HA stack (qemu-server 9.2.6 src/PVE/API2/Qemu.pm migrate_vm:
 * `ha-manager migrate`, vm_shutdown: `ha-manager crm-command stop`, vm_start: `ha-manager set
 * --state started`), so the same lines serve both.
 */
export function qmMigrateCommand(vmid: number | string, target: string, online: boolean): string {
  return `qm migrate ${vmid} ${target}${online ? ' --online' : ''}`;
}

export function qmShutdownCommand(vmid: number | string): string {
  return `qm shutdown ${vmid}`;
}

export function qmStartCommand(vmid: number | string): string {
  return `qm start ${vmid}`;
}

/** `qm set <vmid> --cpu custom-<name>` per VM, with the vmids and the name checked (`apply --vm`). */
export function qmSetLines(vmids: Array<number | string>, modelName: string): string[] {
  if (!GENERATED_MODEL_NAME_RE.test(modelName) || modelName.startsWith('custom-')) {
    throw new InputError(
      'model name',
      `${JSON.stringify(modelName)} must match ${GENERATED_MODEL_NAME_RE.source} without a 'custom-' prefix`,
    );
  }
  return vmids.map((v) => {
    const s = String(v);
    if (!isPveVmid(s)) throw new InputError('vmid', `${JSON.stringify(s)} is not a VM id (digits, 100-999999999)`);
    return qmSetCpuCommand(s, modelName);
  });
}
