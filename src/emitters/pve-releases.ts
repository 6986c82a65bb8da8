/**
 * reported-model values each Proxmox VE release accepts: the `enum` of $cpu_fmt->{'reported-model'}
 * is the key list of qemu-server's CPU model table (PVE/QemuServer/CPUConfig.pm). Lists copied
 * from proxmox/qemu-server:
 *  - 7.4: branch stable-7 at a103a32 (7.4-7), $cpu_vendor_list, lines 40-100; enum at line 134
 *  - 8:   branch stable-bookworm at 5ccd363 (8.4.10), $cpu_vendor_list, lines 80-162
 *  - 9:   master at e6352be (9.2.6): the enum is read from pve-qemu's /usr/share/kvm/cpu-models-x86_64.json
 *         (initialize_cpu_models, line 118) and falls back to the built-in list of lines 133-245, used here.
 * Only QEMU models are kept (host and max are not reported models a custom model can use safely).
 */
import { InputError } from '../errors.js';

const COMMON =
  '486 pentium pentium2 pentium3 coreduo core2duo Conroe Penryn Nehalem Nehalem-IBRS Westmere Westmere-IBRS ' +
  'SandyBridge SandyBridge-IBRS IvyBridge IvyBridge-IBRS Haswell Haswell-IBRS Haswell-noTSX Haswell-noTSX-IBRS ' +
  'Broadwell Broadwell-IBRS Broadwell-noTSX Broadwell-noTSX-IBRS Skylake-Client Skylake-Client-IBRS ' +
  'Skylake-Client-noTSX-IBRS Skylake-Server Skylake-Server-IBRS Skylake-Server-noTSX-IBRS Cascadelake-Server ' +
  'Cascadelake-Server-noTSX KnightsMill Icelake-Server Icelake-Server-noTSX athlon phenom Opteron_G1 Opteron_G2 ' +
  'Opteron_G3 Opteron_G4 Opteron_G5 EPYC EPYC-IBPB EPYC-Rome EPYC-Milan kvm32 kvm64 qemu32 qemu64';

const PVE8_MORE =
  'Skylake-Client-v4 Skylake-Server-v4 Skylake-Server-v5 Cascadelake-Server-v2 Cascadelake-Server-v4 ' +
  'Cascadelake-Server-v5 Cooperlake Cooperlake-v2 Icelake-Server-v3 Icelake-Server-v4 Icelake-Server-v5 ' +
  'Icelake-Server-v6 SapphireRapids SapphireRapids-v2 GraniteRapids EPYC-v3 EPYC-v4 EPYC-Rome-v2 EPYC-Rome-v3 ' +
  'EPYC-Rome-v4 EPYC-Milan-v2 EPYC-Genoa';

const PVE9_MORE =
  'Icelake-Server-v7 SapphireRapids-v3 SapphireRapids-v4 GraniteRapids-v2 GraniteRapids-v3 SierraForest ' +
  'SierraForest-v2 SierraForest-v3 ClearwaterForest EPYC-v5 EPYC-Rome-v5 EPYC-Milan-v3 EPYC-Genoa-v2 EPYC-Turin';

export type PveRelease = '7' | '8' | '9';

const REPORTED: Record<PveRelease, string[]> = {
  '7': COMMON.split(' '),
  '8': `${COMMON} ${PVE8_MORE}`.split(' '),
  '9': `${COMMON} ${PVE8_MORE} ${PVE9_MORE}`.split(' '),
};

/** `--pve 7|8|9`; none: a name every one of them accepts (7.4's list is inside 8's and 9's). */
export function pveRelease(spec: string | undefined): PveRelease | null {
  if (spec === undefined) return null;
  const major = /^(7|8|9)(\.\d+)?$/.exec(spec.trim())?.[1];
  if (!major) throw new InputError('--pve', `"${spec}" is not a Proxmox VE release; one of 7, 8, 9 (7.4 ... 9.x)`);
  return major as PveRelease;
}

export function pveReportedModels(release: PveRelease | null): string[] {
  return REPORTED[release ?? '7'];
}
