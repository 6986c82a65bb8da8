import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Names under which a QEMU x86_64 system emulator is installed (Proxmox ships it as `kvm`). */
const QEMU_NAMES = ['qemu-system-x86_64', 'kvm'];

/** Finds an executable on PATH without asking a shell. */
export function which(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** The QEMU binary to use: $MIGRATABLE_QEMU, else the first known name on PATH. */
export function findQemu(): string | null {
  const override = process.env.MIGRATABLE_QEMU;
  if (override) return override;
  for (const name of QEMU_NAMES) {
    const found = which(name);
    if (found) return found;
  }
  return null;
}

/** Where scripts/install-qemu-10 unpacks QEMU 10.0 (Debian bookworm-backports) beside the system's QEMU. */
export const QEMU_10_DEFAULT = '/opt/migratable/qemu-10.0/usr/bin/qemu-system-x86_64';

/**
 * A QEMU 10.0 binary for the checks that need that release: $MIGRATABLE_QEMU_10 when set, else the
 * folder scripts/install-qemu-10 fills; null when neither is an executable.
 */
export function findQemu10(): string | null {
  const candidate = process.env.MIGRATABLE_QEMU_10 || QEMU_10_DEFAULT;
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return null;
  }
}

/** True when /dev/kvm can be opened for read and write by this process. */
export function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
