import { cpuidRawReader } from './cpuid-raw.js';
import { lscpuReader } from './lscpu.js';
import { pveClusterFlagsReader, pveNodeStatusReader } from './pve.js';
import type { Reader } from './reader.js';
import { virshCapabilitiesReader, virshDomcapsReader } from './virsh.js';

/** Readers of further formats (lscpu, libvirt XML, cpuid -r, Proxmox API), the most specific first. */
export const EXTRA_READERS: Reader[] = [
  pveClusterFlagsReader,
  pveNodeStatusReader,
  virshDomcapsReader,
  virshCapabilitiesReader,
  cpuidRawReader,
  lscpuReader,
];
