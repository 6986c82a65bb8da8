/**
 * OpenStack Nova (libvirt driver): nova.conf [libvirt] with cpu_mode = custom, for one Nova release
 * (`--nova`, see nova-releases.ts). Nova hands the model and extra flags to libvirt, so the model is
 * one the target libvirt knows and the flags use libvirt's spelling. Releases before Wallaby can only
 * add flags, so there the base must need no flag turned off.
 */
import type { BaselineResult } from '../engine/types.js';
import { libvirtBase } from './libvirt.js';
import { DEFAULT_LIBVIRT, libvirtSpellingFor } from './libvirt-names.js';
import {
  DEFAULT_NOVA,
  novaCanDisableFlags,
  novaHasCpuModels,
  novaHasMaxPhysAddr,
  novaRelease,
} from './nova-releases.js';

export interface NovaOptions {
  /** Nova release (series, codename or version); default wallaby */
  nova?: string;
}

export function emitNova(result: BaselineResult, opts: NovaOptions & { libvirt?: string } = {}): string {
  const release = novaRelease(opts.nova ?? DEFAULT_NOVA);
  const libvirt = opts.libvirt ?? DEFAULT_LIBVIRT;
  const canOff = novaCanDisableFlags(release);
  const spell = (f: string) => {
    const s = libvirtSpellingFor(f, libvirt);
    return s.kind === 'cpu' ? s.name : null;
  };
  const base = libvirtBase(result, 'nova', libvirt, canOff ? (f) => spell(f) !== null : () => false);
  const notes = [`${base.name} is QEMU's ${base.model.name}; the flags are relative to QEMU's own expansion`];
  const flags: string[] = [];
  for (const f of base.plus) {
    const s = spell(f);
    if (s) flags.push(canOff ? `+${s}` : s);
    else notes.push(`${f}: nova.conf cannot request it; guests will not get it`);
  }
  for (const f of [...base.minus, ...base.alsoOff].sort()) flags.push(`-${spell(f)}`);
  for (const f of result.minus.filter((x) => !base.alsoOff.includes(x) && !base.minus.includes(x)))
    notes.push(`${f}: nova.conf cannot turn it off; QEMU leaves it off for ${base.name} anyway`);

  if (result.physBits !== null) {
    if (novaHasMaxPhysAddr(release))
      notes.push(
        `phys-bits ${result.physBits}: set on the images (flavor hw:maxphysaddr_* extra specs fail API validation): ` +
          `openstack image set IMAGE --property hw_maxphysaddr_mode=emulate --property hw_maxphysaddr_bits=${result.physBits}`,
      );
    else
      notes.push(
        `phys-bits ${result.physBits}: Nova ${release.name} cannot set it (image property hw_maxphysaddr_bits needs 2024.1); guests get QEMU's default`,
      );
  }
  const lines = [
    `# migratable model ${result.name}: ${result.base}, for Nova ${release.name} (${release.major}.x) with libvirt ${libvirt}`,
    ...notes.map((n) => `# ${n}`),
    '[libvirt]',
    'cpu_mode = custom',
    `${novaHasCpuModels(release) ? 'cpu_models' : 'cpu_model'} = ${base.name}`,
  ];
  if (flags.length) lines.push(`cpu_model_extra_flags = ${flags.join(', ')}`);
  return lines.join('\n') + '\n';
}
