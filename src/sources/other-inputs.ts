/**
 * Inputs given where another kind was expected: a VM config among the hosts, host data as a VM, a
 * cpu-models.conf as either. Recognized only to say in the error what was given and where it goes.
 */
import { looksLikeCpuModels } from '../formats/pve-cpu-models.js';
import { looksLikeDomainXml } from './vm/libvirt.js';
import { looksLikePveVmConfig } from './vm/pve.js';

/** What a text that is no host data is, with where it belongs; null when it is none of the known kinds. */
export function notHostData(text: string): string | null {
  if (looksLikeCpuModels(text)) return 'a Proxmox cpu-models.conf, not host CPU data (give it with --cpu-models)';
  if (looksLikePveVmConfig(text)) return 'a Proxmox VM config, not host CPU data (VMs go to check --vm)';
  if (looksLikeDomainXml(text)) return 'a libvirt domain XML (a VM), not host CPU data (VMs go to check --vm)';
  return null;
}
