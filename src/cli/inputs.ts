import { realpathSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { readProfileInputs } from '../sources/files.js';
import { parseKernelOption, uniqueNames } from '../sources/index.js';
import { notice } from './output.js';

/** The options of every command that reads host data files. */
export interface HostReadOptions {
  /** --kernel: the hosts' Linux release, for inputs that do not say it */
  kernel?: string;
  /** --allow-incomplete */
  allowIncomplete?: boolean;
  /** --no-probe sets it false: this machine's /proc/cpuinfo is not checked against QEMU/KVM here */
  probe?: boolean;
}

/** Whether the cross-check's one-line summary goes to stderr (profile shows it in the notes already). */
export interface ReadHostInputsExtra {
  announce?: boolean;
}

export interface HostInputOptions extends HostReadOptions {
  inventory?: string;
}

function isLocalCpuinfo(path: string): boolean {
  try {
    return path !== '-' && realpathSync(path) === '/proc/cpuinfo';
  } catch {
    return false;
  }
}

/**
 * Host data files, directories or stdin, read with the command's --kernel and --allow-incomplete.
 * This machine's own /proc/cpuinfo is checked against QEMU/KVM here unless --no-probe (local-crosscheck.ts).
 */
export async function readHostInputs(
  paths: string[],
  opts: HostReadOptions,
  extra: ReadHostInputsExtra = {},
): Promise<HostProfile[]> {
  const ctx = { kernel: parseKernelOption(opts.kernel), allowIncomplete: opts.allowIncomplete };
  if (opts.probe === false || !paths.some(isLocalCpuinfo)) return readProfileInputs(paths, ctx);
  const out: HostProfile[] = [];
  for (const path of paths) {
    const profiles = readProfileInputs([path], ctx);
    if (!isLocalCpuinfo(path) || profiles.length !== 1) {
      out.push(...profiles);
      continue;
    }
    const { crossCheckLocalCpuinfo } = await import('./local-crosscheck.js');
    const checked = await crossCheckLocalCpuinfo(profiles[0]);
    if (checked.summary && extra.announce !== false) notice(`migratable: ${checked.summary}`);
    out.push(checked.profile);
  }
  return uniqueNames(out);
}

/** Host profiles from INPUT arguments and, when given, the latest snapshot per host of an inventory. */
export async function loadHosts(inputs: string[], opts: HostInputOptions): Promise<HostProfile[]> {
  const hosts: HostProfile[] = inputs.length ? await readHostInputs(inputs, opts) : [];
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
