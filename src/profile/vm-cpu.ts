/** A VM's CPU as the guest will request it from a host under KVM, resolved through the catalog. */
export interface VmCpu {
  name: string;
  /** Where the definition came from: pve-config, libvirt-xml, qemu-cpu, baseline-json */
  source: 'pve-config' | 'libvirt-xml' | 'qemu-cpu' | 'baseline-json';
  /** The -cpu string QEMU would get (informational) */
  cpu: string;
  /** Versioned QEMU model, or "host"/"max" for passthrough types */
  model: string;
  /** Canonical features the guest requests (enforce makes every one mandatory) */
  features: string[];
  /** Features explicitly added on top of the model (candidates to drop) */
  added: string[];
  physBits: number | 'host' | null;
  /** host/max: never migrate safely; checked as needing everything the boot host has */
  passthrough: boolean;
  /** The model definition came from libvirt's map, not QEMU itself: features may be incomplete */
  unverifiedModel: boolean;
  /**
   * Proxmox's nested-virt flag (+ true, - false): qemu-server resolves it on each host to vmx on
   * Intel and svm on AMD (CPUConfig.pm $supported_cpu_flags), so it is not in `features`
   */
  nestedVirt?: boolean;
  /** Hyper-V enlightenments the guest asks for (hv-evmcs ...): not CPU features, but some need an Intel host */
  hyperv?: string[];
  notes: string[];
}
