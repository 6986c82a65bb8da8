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
  checkTextSize(`${format} input`, FORMAT_SIZE_CAPS[format] ?? DEFAULT_FORMAT_CAP, text, where);
}

/**
 * Every file in /etc/pve (VM configs, cpu-models.conf, the HA files) lives in pmxcfs, which stores at
 * most 1 MiB per file (pve-cluster 9.1.6, src/pmxcfs/memdb.h MEMDB_MAX_FILE_SIZE).
 */
export const PMXCFS_MAX_FILE_SIZE = 1 * MiB;

/** What an input file should be, for its errors, and the most it may hold. */
export interface InputKind {
  /** Named in errors: "...; expected <expected>" */
  expected: string;
  maxBytes: number;
}

export const HOST_DATA_INPUT: InputKind = { expected: 'host CPU data', maxBytes: DEFAULT_FORMAT_CAP };
/** `--vm` inputs: the largest real one is baseline JSON over a big fleet; each kind has its own cap once recognized */
export const VM_INPUT: InputKind = {
  expected: 'a VM config (Proxmox qemu-server/<vmid>.conf or libvirt domain XML), a -cpu string or baseline JSON',
  maxBytes: DEFAULT_FORMAT_CAP,
};

/** A file of /etc/pve (or a copy of one): "a Proxmox VM config", "a Proxmox cpu-models.conf", ... */
export function pveFileInput(expected: string): InputKind {
  return { expected, maxBytes: PMXCFS_MAX_FILE_SIZE };
}

export const CPU_MODELS_INPUT = pveFileInput('a Proxmox cpu-models.conf (cpu-model: sections)');

/** Size caps of the VM inputs, once recognized. */
export const VM_SIZE_CAPS: Record<'pve-config' | 'libvirt-xml', { what: string; cap: number; why: string }> = {
  'pve-config': { what: 'Proxmox VM config', cap: PMXCFS_MAX_FILE_SIZE, why: 'pmxcfs stores at most 1 MiB per file' },
  // As the other libvirt XML documents: a domain's definition is kilobytes
  'libvirt-xml': { what: 'libvirt domain XML', cap: 8 * MiB, why: 'at most 8 MiB' },
};

export function checkVmSize(kind: keyof typeof VM_SIZE_CAPS, text: string, where: string): void {
  const { what, cap, why } = VM_SIZE_CAPS[kind];
  checkTextSize(what, cap, text, where, why);
}

function checkTextSize(what: string, cap: number, text: string, where: string, why = `at most ${cap / MiB} MiB`): void {
  if (text.length > cap)
    throw new InputError(
      where,
      `${what} of ${(text.length / MiB).toFixed(1)} MiB is larger than any real one (${why})`,
    );
}
