/**
 * Per-format input size caps, checked before a reader parses anything, so memory stays a few
 * times the input. Each cap is far above the biggest real input of its kind: a 1024-thread
 * host's /proc/cpuinfo is about 2.5 MB, its `cpuid -r` about 8 MB, while lscpu, QMP replies,
 * libvirt XML and Proxmox API replies describe one host in kilobytes.
 */
import { InputError } from '../errors.js';
import type { SourceFormat } from '../profile/host-profile.js';

const MiB = 1024 * 1024;
/** Formats not listed here (saved HostProfile JSON of a whole fleet) get this. */
export const DEFAULT_FORMAT_CAP = 64 * MiB;

export const FORMAT_SIZE_CAPS: Partial<Record<SourceFormat, number>> = {
  cpuinfo: 16 * MiB,
  lscpu: 1 * MiB,
  'qmp-expansion': 4 * MiB,
  'qmp-bundle': 4 * MiB,
  'virsh-capabilities': 8 * MiB,
  'virsh-domcapabilities': 4 * MiB,
  // libvirt's QEMU capabilities cache: about 0.3 MB per QEMU binary
  'libvirt-qemu-caps': 8 * MiB,
  'cpuid-raw': 32 * MiB,
  'pve-node-status': 4 * MiB,
  'pve-cluster-cpu-flags': 4 * MiB,
  probe: 48 * MiB,
};

/** Refuses text over its format's cap (length in UTF-16 units: the same as bytes for the ASCII host data is). */
export function checkFormatSize(format: SourceFormat, text: string, where: string): void {
  const cap = FORMAT_SIZE_CAPS[format] ?? DEFAULT_FORMAT_CAP;
  if (text.length > cap)
    throw new InputError(
      where,
      `${format} input of ${(text.length / MiB).toFixed(1)} MiB is larger than any real one (at most ${cap / MiB} MiB)`,
    );
}
