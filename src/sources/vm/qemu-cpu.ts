import { parseCpuString } from '../../formats/qemu-cpu.js';
import { canonicalHypervFlag, isHypervFlag } from '../../formats/hyperv.js';
import { InputError } from '../../errors.js';
import { resolveCpuRequest } from './resolve.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

/** A raw QEMU -cpu argument, e.g. "Westmere,+tsc-deadline,-x2apic" (with or without "-cpu "). */
export function vmFromCpuString(
  text: string,
  where: string,
  name: string,
  source: VmCpu['source'] = 'qemu-cpu',
): VmCpu {
  const s = text
    .trim()
    .replace(/^-cpu\s+/, '')
    .replace(/^'(.*)'$/, '$1');
  if (!s || /\s/.test(s)) throw new InputError(where, 'expected a QEMU -cpu argument like "Westmere,+aes,-x2apic"');
  const p = parseCpuString(s);
  if (p.unknown.length)
    throw new InputError(where, `unknown CPU feature(s) ${p.unknown.join(', ')} (QEMU would refuse to start)`);
  const pb = p.options.get('phys-bits');
  const hyperv = [...p.options]
    .filter(([k, v]) => isHypervFlag(k) && v === 'on')
    .map(([k]) => canonicalHypervFlag(k))
    .sort();
  const vm = resolveCpuRequest(
    {
      name,
      source,
      cpu: s,
      model: p.model,
      changes: [...p.features],
      physBits:
        p.options.get('host-phys-bits') === 'on' || p.options.get('host-phys-bits') === 'true'
          ? 'host'
          : pb
            ? Number(pb)
            : null,
    },
    where,
  );
  return hyperv.length ? { ...vm, hyperv } : vm;
}
