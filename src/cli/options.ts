/** Option values checked before any command module loads (cheap: the CLI's definitions import this). */
import { InputError } from '../errors.js';

/** The shared --kernel option of every command that reads host data. */
export const KERNEL_OPTION = [
  '--kernel <release>',
  "the hosts' Linux release (e.g. 6.8) for inputs that do not carry it: what KVM offers depends on it",
] as const;

/** The option every command reading host data offers: truncated or foreign data is refused without it. */
export const ALLOW_INCOMPLETE_OPTION = [
  '--allow-incomplete',
  'use host data that lacks x86-64 baseline features (lm, sse2, ...) instead of refusing it; the model is cut down to it',
] as const;

/** For this machine's own /proc/cpuinfo: the exact answer of QEMU/KVM here is used unless --no-probe. */
export const NO_PROBE_OPTION = [
  '--no-probe',
  "read this machine's /proc/cpuinfo as it is, without checking it against QEMU/KVM here (by default, where /dev/kvm and QEMU work, their exact answer is used and the difference reported)",
] as const;

export function parseQemuVersion(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+\.\d+(\.\d+)?$/.test(v))
    throw new InputError('--qemu', `expected a QEMU version like 7.2 or 8.1.5, got "${v}"`);
  return v;
}
