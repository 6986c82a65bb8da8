import { existsSync, readdirSync } from 'node:fs';
import { findQemu, findQemu10, kvmUsable, which } from '../../src/qemu/binary.js';

/**
 * Tests that need a system part are skipped only on a developer machine without it. Under CI
 * (.ci/run installs every part, and these machines have a working /dev/kvm) a missing part is an
 * error, so no test there can pass by not running.
 */
export function available(what: string, present: boolean): boolean {
  if (!present && process.env.CI) throw new Error(`CI: ${what} is required (scripts/install-system-deps installs it)`);
  return present;
}

export const qemuBinary = findQemu();
export const haveQemu = available('qemu-system-x86_64 (qemu-system-x86)', qemuBinary !== null);
/** QEMU 10.0, the second oracle: scripts/install-qemu-10 unpacks it (or $MIGRATABLE_QEMU_10 names one). */
export const qemu10Binary = findQemu10();
export const haveQemu10 = available(
  'QEMU 10.0 (scripts/install-qemu-10, or $MIGRATABLE_QEMU_10)',
  qemu10Binary !== null,
);

/** Every QEMU the oracle checks run against: the installed one (7.2 on Debian 12) and QEMU 10.0. */
export const qemuOracles: Array<{ label: string; binary: string }> = [
  ...(qemuBinary ? [{ label: 'installed QEMU', binary: qemuBinary }] : []),
  ...(qemu10Binary && qemu10Binary !== qemuBinary ? [{ label: 'QEMU 10.0', binary: qemu10Binary }] : []),
];

export const haveKvm = haveQemu && available('a usable /dev/kvm', kvmUsable());
export const haveVirtXmlValidate = available(
  'virt-xml-validate (libvirt-clients)',
  existsSync('/usr/bin/virt-xml-validate'),
);
export const haveCpio = available('cpio', which('cpio') !== null);
export const haveGuestKernel = available(
  'a guest kernel in /boot (linux-image-amd64)',
  existsSync('/boot') && readdirSync('/boot').some((n) => n.startsWith('vmlinuz-')),
);
