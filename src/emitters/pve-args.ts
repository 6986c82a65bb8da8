/**
 * Proxmox VE without a custom model: an `args:` line. PVE appends args after its own -cpu and QEMU
 * keeps the last -cpu; the field report ran this way. Only root@pam may set args (not API tokens).
 */
import type { BaselineResult } from '../engine/types.js';
import { qemuCpuValue } from './qemu.js';

export function emitPveArgs(result: BaselineResult): string {
  return [
    '# VM config (/etc/pve/qemu-server/<vmid>.conf); only root@pam can set args (API tokens cannot).',
    "# Remove the VM's cpu: line so PVE's own -cpu is its plain default, which this -cpu replaces.",
    `args: -cpu ${qemuCpuValue(result, 'pve-args')}`,
    '',
  ].join('\n');
}
