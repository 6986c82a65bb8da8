/** Checks and converts `migratable baseline` options before any host data is read (bad input: exit 2). */
import type { EmitOptions } from '../../emitters/index.js';
import { DEFAULT_LIBVIRT } from '../../emitters/libvirt-names.js';
import { DEFAULT_NOVA, novaRelease } from '../../emitters/nova-releases.js';
import { pveRelease } from '../../emitters/pve-releases.js';
import { InputError } from '../../errors.js';
import { GENERATED_MODEL_NAME_RE } from '../../formats/pve-cpu-models.js';

/** The emitter choices of `migratable baseline`. */
export interface EmitterCliOptions {
  libvirt?: string;
  nova?: string;
  /** --pve-release (old spelling --pve) */
  pveRelease?: string;
}

/** Proxmox's section-id rule (upper case allowed); VMs add `custom-`, so a name must not carry it. */
export function checkModelName(name: string | undefined, format: string): void {
  if (name === undefined) return;
  if (!GENERATED_MODEL_NAME_RE.test(name))
    throw new InputError(
      '--name',
      `"${name}" is not a valid model name (a letter, then letters, digits, _ or -, 2-40 characters)`,
    );
  if (name.startsWith('custom-') && format.startsWith('pve'))
    throw new InputError('--name', `"${name}" must not start with 'custom-': Proxmox VMs add that prefix themselves`);
}

export function emitterOptions(opts: EmitterCliOptions): EmitOptions {
  const libvirt = opts.libvirt ?? DEFAULT_LIBVIRT;
  if (!/^\d+\.\d+(\.\d+)?$/.test(libvirt))
    throw new InputError('--libvirt', `"${libvirt}" is not a libvirt version (e.g. 9.0 or 10.10)`);
  novaRelease(opts.nova ?? DEFAULT_NOVA);
  pveRelease(opts.pveRelease);
  return { libvirt, nova: opts.nova, pve: opts.pveRelease };
}
