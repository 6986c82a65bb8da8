/** The answer's tabs: each target platform, its emitter, and the three steps that put the model to use. */
import type { FormatName } from '../../emitters/index.js';

export interface TargetFormat {
  format: FormatName;
  label: string;
  /** Three steps; `{name}` is the model's name */
  steps: [string, string, string];
}

export const TARGETS: TargetFormat[] = [
  {
    format: 'pve',
    label: 'Proxmox VE',
    steps: [
      'Append the section to /etc/pve/virtual-guest/cpu-models.conf on any node (the file is cluster-wide), or run: migratable apply model.conf',
      'Point each VM at it: qm set <vmid> --cpu custom-{name} (the cpu: line in /etc/pve/qemu-server/<vmid>.conf)',
      'Stop and start each VM (a reboot inside the guest keeps the old CPU); from then on it live-migrates to every host',
    ],
  },
  {
    format: 'qemu',
    label: 'QEMU',
    steps: [
      'Put this -cpu argument on the VM command line on every host',
      'Keep enforce: QEMU then refuses to start on a host that lacks a feature instead of hiding it from the guest',
      'Stop and start the VM; check it on each host with migratable verify',
    ],
  },
  {
    format: 'libvirt',
    label: 'libvirt',
    steps: [
      'virsh edit <domain> and replace its <cpu> element with this one',
      'Shut the domain down and start it again (a reboot keeps the old CPU)',
      'Migrate: virsh migrate --live <domain> qemu+ssh://<host>/system',
    ],
  },
  {
    format: 'nova',
    label: 'OpenStack',
    steps: [
      'Put the [libvirt] lines into nova.conf on every compute node of the cluster',
      'Restart nova-compute on each node',
      'Hard-reboot or cold-migrate instances so they boot with the model',
    ],
  },
  {
    format: 'kubevirt',
    label: 'KubeVirt',
    steps: [
      'Merge the fragment into the VirtualMachine spec (spec.template.spec.domain.cpu)',
      'Restart the VM: virtctl restart <vm>',
      'Live-migrate: virtctl migrate <vm>',
    ],
  },
  {
    format: 'incus',
    label: 'Incus',
    steps: [
      'Run the commands on any cluster member (they set the cluster group)',
      'Set migration.stateful=true on the VMs that should live-migrate',
      'Restart those VMs so they boot with the model',
    ],
  },
  {
    format: 'pve-args',
    label: 'Proxmox args:',
    steps: [
      'Add the args: line to /etc/pve/qemu-server/<vmid>.conf as root@pam (API tokens cannot set args)',
      'Remove the VM’s cpu: line, which this -cpu replaces',
      'Stop and start the VM; prefer the cpu-models.conf section where you can',
    ],
  },
  {
    format: 'json',
    label: 'JSON',
    steps: [
      'Save it as model.json',
      'Prove it on each node: migratable verify model.json',
      'Any other format from the same hosts: migratable baseline <hosts> --format pve',
    ],
  },
];
