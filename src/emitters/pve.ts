/**
 * Proxmox VE: a cpu-models.conf section plus the VM line that uses it. The section undoes what PVE
 * would add on its own (kvm_pv_unhalt & co.) when the model leaves it out.
 */
import type { BaselineResult } from '../engine/types.js';
import {
  GENERATED_MODEL_NAME_RE,
  modelHostsComment,
  renderCpuModelSection,
  type CpuModelSection,
} from '../formats/pve-cpu-models.js';
import { EmitError } from './guard.js';
import { pveForcedFlagsByName, pveForcesVendor } from './pve-names.js';
import { pveRelease, pveReportedModels } from './pve-releases.js';
import { retarget } from './retarget.js';

export interface PveOptions {
  /** `models-conf`: only the section; `vm`: only the VM line; default both, as two commented blocks */
  pvePart?: 'both' | 'models-conf' | 'vm';
  /** Proxmox VE major release (7, 8 or 9); default: a reported-model all three accept */
  pve?: string;
}

/** The `+a;-b` elements of the section's flags, in PVE's spelling where PVE sets the flag itself. */
export function pveFlags(result: BaselineResult, reportedModel: string): string[] {
  const forced = pveForcedFlagsByName(reportedModel);
  const spelling = new Map([...forced].map(([key, v]) => [v.feature, key]));
  const spell = (f: string) => spelling.get(f) ?? f;
  const plus = new Set(result.plus.map(spell));
  const minus = new Set(result.minus.map(spell));
  const features = new Set(result.features);
  for (const [key, { feature, on }] of forced) {
    const want = features.has(feature);
    if (want === on || plus.has(key) || minus.has(key)) continue;
    (want ? plus : minus).add(key);
  }
  return [...[...plus].sort().map((f) => `+${f}`), ...[...minus].sort().map((f) => `-${f}`)];
}

/** The reported model the target release accepts, and the cpu-models.conf section relative to it. */
function pveTarget(result: BaselineResult, release: ReturnType<typeof pveRelease>) {
  // The flags are deltas against QEMU's expansion of the reported model, which is what PVE starts.
  const base = retarget(result, {
    format: 'pve',
    names: pveReportedModels(release),
    canTurnOff: () => true,
    why: `reported-model Proxmox VE ${release ?? '7.4, 8 and 9'} accepts`,
  });
  const rebased = { ...result, plus: base.plus, minus: [...base.minus, ...base.alsoOff] };
  const section: CpuModelSection = {
    name: result.name,
    flags: pveFlags(rebased, base.name),
    reportedModel: base.name,
    physBits: result.physBits ?? undefined,
  };
  return { model: base.model, section };
}

/** The cpu-models.conf section for a result, as a typed section (the dashboard checks VMs against it). */
export function pveModelSection(result: BaselineResult, pve?: string): CpuModelSection {
  return pveTarget(result, pveRelease(pve)).section;
}

export function emitPve(result: BaselineResult, opts: PveOptions = {}): string {
  if (!GENERATED_MODEL_NAME_RE.test(result.name) || result.name.startsWith('custom-')) {
    throw new EmitError(
      'pve',
      `model name ${JSON.stringify(result.name)} must match ${GENERATED_MODEL_NAME_RE.source} (2-40 characters) ` +
        `and must not start with 'custom-' (VMs add that prefix); choose one with --name`,
    );
  }
  const release = pveRelease(opts.pve);
  const { model, section: typed } = pveTarget(result, release);
  const reported = { name: typed.reportedModel! };
  const section = renderCpuModelSection(typed);

  const notes = [
    modelHostsComment(result.hosts),
    `# reported-model ${reported.name} (QEMU ${model.name}) is accepted by Proxmox VE ${release ?? '7.4, 8 and 9'}; flags are relative to it.`,
  ];
  if (pveForcesVendor(model) && result.vendors.length > 1) {
    notes.push(`# PVE adds vendor=${model.vendor} for ${reported.name}: guests report it on every host.`);
  }
  if (result.physBits === null) notes.push("# phys-bits unknown for some host: PVE leaves QEMU's default.");
  else if (result.physBitsUnknownOn?.length)
    notes.push(
      `# phys-bits ${result.physBits}: no host width known for ${result.physBitsUnknownOn.join(', ')} (see warnings).`,
    );

  const part = opts.pvePart ?? 'both';
  const vmLine = `cpu: custom-${result.name}\n`;
  if (part === 'vm') return vmLine;
  if (part === 'models-conf') return notes.map((n) => n + '\n').join('') + section;
  return [
    '# /etc/pve/virtual-guest/cpu-models.conf (cluster-wide; keep a blank line between sections)',
    ...notes,
    section.replace(/\n$/, ''), // keep one blank line after the section, as PVE writes it
    `# VM config (/etc/pve/qemu-server/<vmid>.conf), or: qm set <vmid> --cpu custom-${result.name}`,
    '# Running VMs keep their old -cpu until a full stop and start.',
    vmLine,
  ].join('\n');
}
