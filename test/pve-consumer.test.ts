/**
 * Proxmox VE 7.4, 8 and 9 as qemu-server's CPUConfig.pm would treat the pve output (rules replayed in
 * helpers/pve-cpuconfig-replay.ts, each citing its source line): the section is accepted, and the -cpu
 * PVE builds from it gives the guest exactly the promise (QEMU's expansion of reported-model + flags).
 */
import { describe, expect, it } from 'vitest';
import { resolveFeature, resolveModel } from '../src/catalog/index.js';
import { parseCpuString } from '../src/formats/qemu-cpu.js';
import { EMITTERS } from '../src/emitters/index.js';
import { pairResults } from './helpers/consumer-pairs.js';
import { parseSection, pveCpuArg, type Release } from './helpers/pve-cpuconfig-replay.js';

const results = pairResults();
const TARGETS: Array<[string | undefined, Release[]]> = [
  [undefined, ['7.4', '8', '9']],
  ['7', ['7.4']],
  ['8', ['8']],
  ['9', ['9']],
];

/** What the guest gets from PVE's -cpu under KVM. */
function guestOf(arg: string): { features: string[]; physBits: number | null } {
  const physBits = /,phys-bits=(\d+)/.exec(arg)?.[1];
  expect(arg).toMatch(/,enforce(,|$)/);
  const parsed = parseCpuString(arg.replace(/,(enforce|vendor=\w+|phys-bits=\d+)/g, ''));
  expect(parsed.unknown).toEqual([]);
  const set = new Set(resolveModel(parsed.model)!.kvmFeatures);
  for (const [f, on] of parsed.features) {
    const canon = resolveFeature(f)!.name;
    if (on) set.add(canon);
    else set.delete(canon);
  }
  return { features: [...set].sort(), physBits: physBits ? Number(physBits) : null };
}

describe('Proxmox VE accepts the pve output and starts exactly the promise', () => {
  for (const [pair, result] of Object.entries(results)) {
    for (const [pve, releases] of TARGETS) {
      it(`${pair}, --pve ${pve ?? '(default)'}: accepted by ${releases.join(', ')}`, () => {
        const section = parseSection(EMITTERS.pve.emit(result, { pvePart: 'models-conf', pve }));
        const vm = EMITTERS.pve.emit(result, { pvePart: 'vm', pve });
        for (const release of releases) {
          const guest = guestOf(pveCpuArg(release, section, vm));
          expect(guest.features).toEqual(result.features);
          expect(guest.physBits).toBe(result.physBits);
        }
      });
    }
  }

  it('the default reported-model is one 7.4 knows even where the engine chose a versioned model', () => {
    const amd = results.amd;
    expect(amd.base).toMatch(/-v\d+$/);
    const section = parseSection(EMITTERS.pve.emit(amd, { pvePart: 'models-conf' }));
    expect(section.props.get('reported-model')).not.toMatch(/-v\d+$/);
    // the versioned name itself is what PVE 7.4 rejects (its enum has unversioned names only)
    const versioned = parseSection(`cpu-model: vx
	reported-model ${amd.base}
`);
    expect(() => pveCpuArg('7.4', versioned, 'cpu: custom-vx')).toThrow(/enumeration/);
    expect(() => pveCpuArg('8', versioned, 'cpu: custom-vx')).not.toThrow();
  });
});
