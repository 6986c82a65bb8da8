/**
 * reported-model values each Proxmox VE release accepts: the `enum` of $cpu_fmt->{'reported-model'}
 * is the key list of qemu-server's CPU model table (PVE/QemuServer/CPUConfig.pm), per release in
 * data/proxmox.json with the commit it was read at (7.4, 8.4, 9.2). Only QEMU models are kept (host and
 * max are not reported models a custom model can use safely; Icelake-Client left QEMU in 7.1).
 */
import { resolveModel } from '../catalog/index.js';
import { pveReleases } from '../catalog/proxmox.js';
import { InputError } from '../errors.js';

export type PveRelease = '7' | '8' | '9';

const REPORTED = new Map(
  pveReleases().map((r) => [r.release, Object.keys(r.models).filter((m) => resolveModel(m) !== undefined)]),
);

/** `--pve-release 7|8|9`; none: a name every one of them accepts (7.4's list is inside 8's and 9's). */
export function pveRelease(spec: string | undefined): PveRelease | null {
  if (spec === undefined) return null;
  const major = /^(7|8|9)(\.\d+)?$/.exec(spec.trim())?.[1];
  if (!major)
    throw new InputError('--pve-release', `"${spec}" is not a Proxmox VE release; one of 7, 8, 9 (7.4 ... 9.x)`);
  return major as PveRelease;
}

export function pveReportedModels(release: PveRelease | null): string[] {
  return REPORTED.get(release ?? '7')!;
}
