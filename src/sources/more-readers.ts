import type { Reader } from './reader.js';

/** Readers of further formats (lscpu, libvirt XML, cpuid -r, Proxmox API, probe bundles). */
export const EXTRA_READERS: Reader[] = [];
