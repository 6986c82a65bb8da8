/** Shell lines that switch VMs to a custom model (run on any node of the cluster). */
import { isPveVmid } from '../../catalog/proxmox.js';
import { InputError } from '../../errors.js';
import { GENERATED_MODEL_NAME_RE } from '../../formats/pve-cpu-models.js';

/**
 * `qm set <vmid> --cpu custom-<name>` per VM. Note: this replaces the VM's whole `cpu:`
 * value, so VM-level options (flags=, phys-bits=, ...) are dropped.
 */
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
    return `qm set ${s} --cpu custom-${modelName}`;
  });
}
