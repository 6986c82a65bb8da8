/** `migratable baseline --format X`: one pure renderer per target platform. */
import type { BaselineResult } from '../engine/types.js';
import { emitIncus, type IncusOptions } from './incus.js';
import { emitJson } from './json.js';
import { emitKubevirt } from './kubevirt.js';
import { emitLibvirt, type LibvirtOptions } from './libvirt.js';
import { emitNova, type NovaOptions } from './nova.js';
import { emitPve, type PveOptions } from './pve.js';
import { emitPveArgs } from './pve-args.js';
import { emitQemu } from './qemu.js';
import { emitText, type TextOptions } from './text.js';
import type { FormatName } from './format-names.js';

export { EmitError } from './guard.js';
export { FORMAT_NAMES, isFormatName, type FormatName } from './format-names.js';

/** Every emitter's options; each reads only its own. */
export type EmitOptions = TextOptions & PveOptions & LibvirtOptions & IncusOptions & NovaOptions;

export interface Emitter {
  description: string;
  /** Throws EmitError when the result cannot be expressed safely in this format */
  emit: (result: BaselineResult, opts?: EmitOptions) => string;
  /** Its text is escaped as it is made (safeJson): nothing in it can act on a terminal, no second scan needed */
  escaped?: true;
}

export const EMITTERS: Record<FormatName, Emitter> = {
  text: { description: 'readable report: model, gains, losses and why, blockers, warnings', emit: emitText },
  json: { description: 'the full result as JSON (stable contract for other tools)', emit: emitJson, escaped: true },
  pve: { description: 'Proxmox VE cpu-models.conf section and the VM cpu: line', emit: emitPve },
  'pve-args': { description: 'Proxmox VE args: -cpu line (root@pam only; no custom model needed)', emit: emitPveArgs },
  qemu: { description: 'QEMU -cpu argument with phys-bits and enforce', emit: emitQemu },
  libvirt: { description: 'libvirt <cpu> (and <features>) XML; wrapDomain for a whole <domain>', emit: emitLibvirt },
  nova: { description: 'OpenStack Nova nova.conf [libvirt] cpu_mode=custom snippet', emit: emitNova },
  kubevirt: { description: 'KubeVirt VirtualMachine spec.template.spec.domain.cpu YAML', emit: emitKubevirt },
  incus: { description: 'Incus cluster group instances.vm.cpu.x86_64.* commands', emit: emitIncus },
};
