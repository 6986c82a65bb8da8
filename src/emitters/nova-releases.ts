/**
 * What each Nova release accepts in nova.conf [libvirt] and for phys-bits, from Nova's own source
 * (data/nova.json: openstack/nova tags, nova/conf/libvirt.py and nova/objects/image_meta.py).
 */
import { nova } from '../catalog/nova.js';
import { InputError } from '../errors.js';

export interface NovaRelease {
  name: string;
  /** Major version of the release's first tag (wallaby = 23) */
  major: number;
}

const { series: SERIES, codenames: CODENAMES, firstMajor, capabilities } = nova;
const FIRST = firstMajor.value;

/** Default: Wallaby, the first release whose cpu_model_extra_flags can turn flags off. */
export const DEFAULT_NOVA = nova.default.value;

export function novaRelease(spec: string): NovaRelease {
  const s = spec.trim().toLowerCase();
  const series = CODENAMES[s] ?? s;
  let i = SERIES.indexOf(series);
  const num = /^(\d+)(\.\d+){0,2}$/.exec(s);
  if (i < 0 && num) i = Number(num[1]) - FIRST;
  if (i < 0 || i >= SERIES.length)
    throw new InputError(
      '--nova',
      `unknown Nova release "${spec}"; a series (${SERIES[0]} ... ${SERIES.at(-1)}, or a codename) or a version (${FIRST} ... ${FIRST + SERIES.length - 1})`,
    );
  return { name: SERIES[i], major: FIRST + i };
}

/** nova.conf [libvirt]cpu_models replaced cpu_model in Train (20.0.0; cpu_model stays as its deprecated name). */
export const novaHasCpuModels = (r: NovaRelease) => r.major >= capabilities.cpuModels.sinceMajor;

/** `+flag`/`-flag` in cpu_model_extra_flags: Wallaby (23.0.0) help text; before it every flag enables. */
export const novaCanDisableFlags = (r: NovaRelease) => r.major >= capabilities.disableFlags.sinceMajor;

/**
 * hw_maxphysaddr_mode/hw_maxphysaddr_bits image properties: ImageMetaProps 1.36, first in 29.0.0
 * (2024.1). The flavor extra specs hw:maxphysaddr_* are read by the driver but have no validator in
 * nova/api/validation/extra_specs/hw.py, so the API rejects them from microversion 2.86 (strict checks).
 */
export const novaHasMaxPhysAddr = (r: NovaRelease) => r.major >= capabilities.maxPhysAddr.sinceMajor;
