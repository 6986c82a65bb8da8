/** Option values checked before any command module loads (cheap: the CLI's definitions import this). */
import { InputError } from '../errors.js';

export function parseQemuVersion(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+\.\d+(\.\d+)?$/.test(v))
    throw new InputError('--qemu', `expected a QEMU version like 7.2 or 8.1.5, got "${v}"`);
  return v;
}
