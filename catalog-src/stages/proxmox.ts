/** Stage Proxmox: qemu-server's built-in CPU types (catalog-src/proxmox-models.json). */
import { curated } from '../curated.js';
import type { BuiltinModel } from '../models.js';

export interface ProxmoxSlice {
  builtins: BuiltinModel[];
}

export function proxmoxStage(): ProxmoxSlice {
  const file = curated<Record<string, string[]>>('proxmox-models.json');
  const builtins = Object.entries(file)
    .filter(([name]) => !name.startsWith('$'))
    .map(([name, flags]) => ({ name, base: 'qemu64-v1', flags, source: 'proxmox' as const }));
  return { builtins };
}
