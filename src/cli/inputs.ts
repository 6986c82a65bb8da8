import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { readProfileInputs } from '../sources/files.js';
import { parseKernelOption } from '../sources/index.js';

/** The options of every command that reads host data files. */
export interface HostReadOptions {
  /** --kernel: the hosts' Linux release, for inputs that do not say it */
  kernel?: string;
  /** --allow-incomplete */
  allowIncomplete?: boolean;
}

export interface HostInputOptions extends HostReadOptions {
  inventory?: string;
}

/** Host data files, directories or stdin, read with the command's --kernel and --allow-incomplete. */
export function readHostInputs(paths: string[], opts: HostReadOptions): HostProfile[] {
  return readProfileInputs(paths, { kernel: parseKernelOption(opts.kernel), allowIncomplete: opts.allowIncomplete });
}

/** Host profiles from INPUT arguments and, when given, the latest snapshot per host of an inventory. */
export async function loadHosts(inputs: string[], opts: HostInputOptions): Promise<HostProfile[]> {
  const hosts: HostProfile[] = inputs.length ? readHostInputs(inputs, opts) : [];
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
