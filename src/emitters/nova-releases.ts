/**
 * What each Nova release accepts in nova.conf [libvirt] and for phys-bits, from Nova's own source
 * (openstack/nova tags, nova/conf/libvirt.py and nova/objects/image_meta.py).
 */
import { InputError } from '../errors.js';

export interface NovaRelease {
  name: string;
  /** Major version of the release's first tag (wallaby = 23) */
  major: number;
}

// Series names in release order; Rocky (18.0.0) is the first with [libvirt]cpu_model_extra_flags.
const SERIES = [
  'rocky',
  'stein',
  'train',
  'ussuri',
  'victoria',
  'wallaby',
  'xena',
  'yoga',
  'zed',
  '2023.1',
  '2023.2',
  '2024.1',
  '2024.2',
  '2025.1',
  '2025.2',
  '2026.1',
];
const CODENAMES: Record<string, string> = {
  antelope: '2023.1',
  bobcat: '2023.2',
  caracal: '2024.1',
  dalmatian: '2024.2',
  epoxy: '2025.1',
  flamingo: '2025.2',
  gazpacho: '2026.1',
};

/** Default: Wallaby, the first release whose cpu_model_extra_flags can turn flags off. */
export const DEFAULT_NOVA = 'wallaby';

export function novaRelease(spec: string): NovaRelease {
  const s = spec.trim().toLowerCase();
  const series = CODENAMES[s] ?? s;
  let i = SERIES.indexOf(series);
  const num = /^(\d+)(\.\d+){0,2}$/.exec(s);
  if (i < 0 && num) i = Number(num[1]) - 18;
  if (i < 0 || i >= SERIES.length)
    throw new InputError(
      '--nova',
      `unknown Nova release "${spec}"; a series (rocky ... ${SERIES.at(-1)}, or a codename) or a version (18 ... ${17 + SERIES.length})`,
    );
  return { name: SERIES[i], major: 18 + i };
}

/** nova.conf [libvirt]cpu_models replaced cpu_model in Train (20.0.0; cpu_model stays as its deprecated name). */
export const novaHasCpuModels = (r: NovaRelease) => r.major >= 20;

/** `+flag`/`-flag` in cpu_model_extra_flags: Wallaby (23.0.0) help text; before it every flag enables. */
export const novaCanDisableFlags = (r: NovaRelease) => r.major >= 23;

/**
 * hw_maxphysaddr_mode/hw_maxphysaddr_bits image properties: ImageMetaProps 1.36, first in 29.0.0
 * (2024.1). The flavor extra specs hw:maxphysaddr_* are read by the driver but have no validator in
 * nova/api/validation/extra_specs/hw.py, so the API rejects them from microversion 2.86 (strict checks).
 */
export const novaHasMaxPhysAddr = (r: NovaRelease) => r.major >= 29;
