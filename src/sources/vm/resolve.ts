/** Turns "model + on/off features" into what the guest requests under KVM. */
import { resolveModel } from '../../catalog/index.js';
import { applyDependencies } from '../../catalog/dependencies.js';
import { InputError } from '../../errors.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

export interface CpuRequest {
  name: string;
  source: VmCpu['source'];
  cpu: string;
  model: string;
  changes: Array<[string, boolean]>;
  physBits: number | 'host' | null;
  notes?: string[];
}

export function resolveCpuRequest(req: CpuRequest, where: string): VmCpu {
  const notes = [...(req.notes ?? [])];
  if (req.model === 'host' || req.model === 'max') {
    return {
      name: req.name,
      source: req.source,
      cpu: req.cpu,
      model: req.model,
      features: [],
      added: [],
      physBits: req.physBits ?? 'host',
      passthrough: true,
      unverifiedModel: false,
      notes: [
        ...notes,
        `cpu type ${req.model} copies the boot host's CPU: live migration is only safe between identical hosts`,
      ],
    };
  }
  const model = resolveModel(req.model);
  if (!model) throw new InputError(where, `unknown CPU model "${req.model}" (see \`migratable models\`)`);
  const set = new Set(model.kvmFeatures);
  const added: string[] = [];
  for (const [f, on] of req.changes) {
    if (on) {
      if (!set.has(f)) added.push(f);
      set.add(f);
    } else {
      set.delete(f);
      const i = added.indexOf(f);
      if (i >= 0) added.splice(i, 1);
    }
  }
  // What QEMU clears itself (feature_dependencies[]): -arch-capabilities takes rdctl-no & co. with it
  for (const f of applyDependencies(set).keys()) {
    const i = added.indexOf(f);
    if (i >= 0) added.splice(i, 1);
  }
  if (!model.verified)
    notes.push(
      `model ${model.name} is newer than the QEMU this catalog was checked against; its feature list comes from libvirt's map and may miss bits`,
    );
  return {
    name: req.name,
    source: req.source,
    cpu: req.cpu,
    model: model.name,
    features: [...set].sort(),
    added: added.sort(),
    physBits: req.physBits,
    passthrough: false,
    unverifiedModel: !model.verified,
    notes,
  };
}
