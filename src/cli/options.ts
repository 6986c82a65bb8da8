/** Option values checked before any command module loads (cheap: the CLI's definitions import this). */
import { InputError } from '../errors.js';

/** The shared --kernel option of every command that reads host data. */
export const KERNEL_OPTION = [
  '--kernel <release>',
  "the hosts' Linux release (e.g. 6.8) for inputs that do not carry it: what KVM offers depends on it",
] as const;

export function parseQemuVersion(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+\.\d+(\.\d+)?$/.test(v))
    throw new InputError('--qemu', `expected a QEMU version like 7.2 or 8.1.5, got "${v}"`);
  return v;
}
