import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { readProfileInputs } from '../sources/files.js';
import { parseKernelOption } from '../sources/index.js';

export interface HostInputOptions {
  inventory?: string;
  /** --kernel: the hosts' Linux release, for inputs that do not say it */
  kernel?: string;
  allowIncomplete?: boolean;
}

/** Host profiles from INPUT arguments and, when given, the latest snapshot per host of an inventory. */
export async function loadHosts(inputs: string[], opts: HostInputOptions): Promise<HostProfile[]> {
  const hosts: HostProfile[] = inputs.length
    ? readProfileInputs(inputs, { kernel: parseKernelOption(opts.kernel), allowIncomplete: opts.allowIncomplete })
    : [];
  if (opts.inventory) {
    const { openInventory } = await import('../fleet/inventory/index.js');
    const inv = openInventory(opts.inventory, { readOnly: true });
    try {
      hosts.push(...inv.latestProfiles());
    } finally {
      inv.close();
    }
  }
  if (!hosts.length)
    throw new InputError('arguments', 'no hosts given: pass host data files or directories (or --inventory DB)');
  return hosts;
}
