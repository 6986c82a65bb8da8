/** What a Proxmox cluster's own configuration says: from a copy of /etc/pve or the API. */
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { VmConfig } from '../../formats/pve-vm-config.js';
import type { HaConfig } from './ha.js';

export interface ClusterVm {
  vmid: number;
  /** The node whose qemu-server directory holds the config: where the VM is now */
  node: string;
  config: VmConfig;
  /** The config's file or API path, for errors */
  where: string;
  /** From the API; null when unknown (a copy of /etc/pve does not say) */
  running: boolean | null;
}

export interface ClusterConfig {
  nodes: string[];
  vms: ClusterVm[];
  ha: HaConfig;
  /** virtual-guest/cpu-models.conf */
  customModels: CpuModelSection[];
  /** e.g. "/etc/pve" or "https://pve1:8006" */
  source: string;
}
