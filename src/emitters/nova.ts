/**
 * OpenStack Nova (libvirt driver): nova.conf [libvirt] with cpu_mode = custom. Nova hands the model
 * and extra flags to libvirt, so both use libvirt's spelling. `+flag`/`-flag` follows Nova's current
 * cpu_model_extra_flags help; older releases only know plain (enabling) names.
 */
import type { BaselineResult } from '../engine/types.js';
import { EmitError, checkResult, isNoOpMinus } from './guard.js';
import { libvirtModelName, libvirtSpelling } from './libvirt-names.js';

export function emitNova(result: BaselineResult): string {
  const model = checkResult(result, 'nova');
  const name = libvirtModelName(model);
  const notes: string[] = [];
  const flags: string[] = [];
  const add = (feature: string, on: boolean) => {
    const s = libvirtSpelling(feature);
    if (s.kind === 'cpu') flags.push(`${on ? '+' : '-'}${s.name}`);
    else if (on) notes.push(`${feature}: nova.conf cannot request it; guests will not get it`);
    else if (isNoOpMinus(model, feature))
      notes.push(`${feature}: nova.conf cannot turn it off; QEMU leaves it off for ${model.name} anyway`);
    else throw new EmitError('nova', `nova.conf cannot turn off ${feature}, and ${model.name} turns it on under KVM`);
  };
  for (const f of [...result.plus].sort()) add(f, true);
  for (const f of [...result.minus].sort()) add(f, false);

  if (flags.length)
    notes.push('+flag/-flag in cpu_model_extra_flags needs a Nova release whose help text documents them');
  if (name.versioned) notes.push(`${name.name} needs a libvirt whose CPU map has versioned models`);
  if (result.physBits !== null) {
    notes.push(
      `phys-bits ${result.physBits} is a flavor setting (Nova 2024.1+): openstack flavor set FLAVOR ` +
        `--property hw:maxphysaddr_mode=emulate --property hw:maxphysaddr_bits=${result.physBits}`,
    );
  }
  const lines = [
    `# migratable model ${result.name}: ${result.base}`,
    ...notes.map((n) => `# ${n}`),
    '[libvirt]',
    'cpu_mode = custom',
    `cpu_models = ${name.name}`,
  ];
  if (flags.length) lines.push(`cpu_model_extra_flags = ${flags.join(', ')}`);
  return lines.join('\n') + '\n';
}
