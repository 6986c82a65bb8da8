/** The plan's domain models, read back by the installed QEMU: JSON `features` = QEMU's expansion of `cpu`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFeature, resolveModel } from '../src/catalog/index.js';
import { parseCpuString } from '../src/formats/qemu-cpu.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { computePlan } from '../src/proxmox/plan/plan.js';
import { QmpSession } from '../src/qemu/qmp.js';
import { readProfileInputs } from '../src/sources/files.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { expandCpuString, haveKvm, haveQemu } from './helpers/qemu.js';

const plan = computePlan({ ...readEtcPve(etcPveCopy('pve9')), hosts: readProfileInputs([clusterHostsDir()]) });
const isKvmBit = (f: string) => resolveFeature(f)?.vendor === 'kvm';

describe.skipIf(!haveQemu)('plan domain models in QEMU', () => {
  let session: QmpSession;
  beforeAll(async () => {
    session = await QmpSession.start({ accel: haveKvm ? 'kvm' : 'tcg' });
  });
  afterAll(async () => session?.close());

  for (const d of plan.domains)
    it(`${d.model.name} (${d.nodes.join(', ')})`, async () => {
      const got = await expandCpuString(session, d.model.cpu);
      if (haveKvm) expect(got).toEqual(d.model.features);
      else {
        // TCG leaves out what KVM adds on its own: compare the vendor-neutral rest
        const m = resolveModel(parseCpuString(d.model.cpu).model)!;
        const kvmOnly = new Set(m.kvmFeatures.filter((f) => !m.features.includes(f)));
        const want = d.model.features.filter((f) => !isKvmBit(f) && !kvmOnly.has(f));
        expect(got.filter((f) => !isKvmBit(f))).toEqual(want);
      }
    });
});
