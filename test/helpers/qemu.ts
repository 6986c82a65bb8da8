import { existsSync, readdirSync } from 'node:fs';
import { parseCpuString } from '../../src/formats/qemu-cpu.js';
import { findQemu, findQemu10, kvmUsable, which } from '../../src/qemu/binary.js';
import { enabledProps, expandCpuModel, type QmpSession } from '../../src/qemu/qmp.js';
import { installedLibvirtCpuMap } from './paths.js';

/**
 * Tests that need a system part are skipped only on a developer machine without it. Under CI
 * (.ci/run installs every part) a missing part is an error, so no test there can pass by not running.
 * /dev/kvm is the exception: it needs the hardware, which not every CI machine has.
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

// KVM is hardware, not a package: a CI machine without VT-x/AMD-V (no /dev/kvm) skips the KVM cases, loudly
export const haveKvm = haveQemu && kvmUsable();
if (haveQemu && !haveKvm && process.env.CI)
  process.stderr.write('CI: no usable /dev/kvm on this machine: the KVM cases are skipped (TCG cases still run)\n');
// virt-xml-validate is a shell script around xmllint
export const haveVirtXmlValidate = available(
  'virt-xml-validate (libvirt-clients) and xmllint (libxml2-utils)',
  existsSync('/usr/bin/virt-xml-validate') && which('xmllint') !== null,
);
export const haveLibvirtCpuMap = available(
  `libvirt's CPU map in ${installedLibvirtCpuMap} (libvirt0)`,
  existsSync(installedLibvirtCpuMap),
);
export const haveCpio = available('cpio', which('cpio') !== null);
export const haveGuestKernel = available(
  'a guest kernel in /boot (linux-image-amd64)',
  existsSync('/boot') && readdirSync('/boot').some((n) => n.startsWith('vmlinuz-')),
);

/**
 * What QEMU's static expansion of the -cpu string `cpu` enables. Every name in it must be one
 * parseCpuString knows: one it does not would be left out of the question and pass unseen.
 */
export async function expandCpuString(s: QmpSession, cpu: string): Promise<string[]> {
  const p = parseCpuString(cpu);
  if (p.unknown.length) throw new Error(`${cpu}: names the catalog does not know: ${p.unknown.join(', ')}`);
  return enabledProps(await expandCpuModel(s, 'static', { name: p.model, props: Object.fromEntries(p.features) }));
}
