import { cpuidRawReader } from './cpuid-raw.js';
import { libvirtQemuCapsReader } from './libvirt-qemu-caps.js';
import { lscpuReader } from './lscpu.js';
import { pveClusterFlagsReader, pveNodeStatusReader } from './pve.js';
import type { Reader } from './reader.js';
import { virshCapabilitiesReader, virshDomcapsReader } from './virsh.js';

/** Readers of further formats (lscpu, libvirt XML and cache, cpuid -r, Proxmox API), the most specific first. */
export const EXTRA_READERS: Reader[] = [
  pveClusterFlagsReader,
  pveNodeStatusReader,
  virshDomcapsReader,
  virshCapabilitiesReader,
  libvirtQemuCapsReader,
  cpuidRawReader,
  lscpuReader,
];
