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
  /** Nodes known to be offline (the API's node list, or .members in a copy) */
  offline?: string[];
  /** The VMs read; all of them unless the reader was asked for some */
  vms: ClusterVm[];
  /** Every VM of the cluster and its node, read or not */
  locations?: Map<number, string>;
  /** Every container and its node (HA rules may name them: `ct:ID`) */
  containers?: Map<number, string>;
  ha: HaConfig;
  /** virtual-guest/cpu-models.conf */
  customModels: CpuModelSection[];
  /** Where customModels came from; absent when no cpu-models.conf was read */
  customModelsFrom?: string;
  /** e.g. "/etc/pve" or "https://pve1:8006" */
  source: string;
}
