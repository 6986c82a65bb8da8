/**
 * What `apply` does with a model whose name is already in cpu-models.conf. Once a VM uses a model,
 * its definition never changes under that name: the new definition becomes the next version
 * (naming.ts), and the VMs keep the CPU they have until someone moves them. Pure.
 *
 * Why, although qemu-server hands a live migration's target the source's running -cpu for custom
 * models (QemuMigrate.pm phase1 `is_abstracted` -> `--force-cpu` from `get_cpu_from_running_vm`,
 * qemu-server 58c64ad5 "Include "-cpu" parameter with live-migration", in 6.1-13 and every release
 * since; 9.2.6 e6352be6): every other start reads the current section. An HA recovery after a node
 * fails cold-starts the VM elsewhere from it, a stop/start or `qm reboot` gives the guest the new CPU
 * without anyone deciding so, a rollback of a snapshot without RAM restores `cpu: custom-NAME` and
 * boots the new definition, and `check`/`plan` could only judge a VM by the file while it still runs
 * the old CPU. Custom models in qemu-server 6.1-11 and 6.1-12 predate the force-cpu handoff.
 */
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import { sameContent } from './content.js';
import { familyMembers, familyOf, nextVersionName } from './naming.js';
import { describeUses, type ModelUse } from './usage.js';

export type ModelWriteKind =
  /** the file holds exactly this section under this name */
  | 'unchanged'
  /** another version of the family holds exactly this definition: nothing to write */
  | 'present'
  /** the name is new: written as it is */
  | 'add'
  /** no VM uses the old section: replaced in place */
  | 'replace'
  /** the old section is (or may be) in use: the definition goes under the next version name */
  | 'new-version'
  /** replacing in place was asked for and the section is (or may be) in use: nothing written */
  | 'refused';

export interface ModelWriteDecision {
  kind: ModelWriteKind;
  /** The section to write (or that is there), under the name it ends up with */
  section: CpuModelSection;
  /** The name asked for */
  requested: string;
  /** Version number within its family (1 = the plain name) */
  version: number;
  family: string;
  /** VMs using the section under the requested name; null when no VM configs were read */
  usedBy: ModelUse[] | null;
  /** One line for people */
  message: string;
}

export interface ModelWriteInput {
  /** The sections in cpu-models.conf now */
  existing: CpuModelSection[];
  section: CpuModelSection;
  /** Model uses from the cluster's VM configs; null when unknown (then every section counts as used) */
  uses: Map<string, ModelUse[]> | null;
  /** `apply --in-place`: replace the section under its name, or refuse */
  inPlace?: boolean;
  /** Names recorded (inventory) with a definition other than this one: never given a new one */
  retired?: Set<string>;
}

export function decideModelWrite(input: ModelWriteInput): ModelWriteDecision {
  const { existing, section, uses } = input;
  const requested = section.name;
  const inFile = new Map(existing.map((m) => [m.name, m]));
  const known = [...inFile.keys(), ...(input.retired ?? [])];
  const self = familyOf(requested, known);
  const family = self.base;
  const usedBy = uses ? (uses.get(requested) ?? []) : null;
  const decision = (kind: ModelWriteKind, s: CpuModelSection, version: number, message: string) => ({
    kind,
    section: s,
    requested,
    version,
    family,
    usedBy,
    message,
  });
  const members = familyMembers(family, inFile.keys());
  const current = inFile.get(requested);
  const next = () => nextVersionName(family, known);
  if (current && sameContent(current, section))
    return decision('unchanged', section, self.version, `cpu-model ${requested} is already exactly this`);
  const who = usedBy
    ? `used by VM ${describeUses(usedBy)}`
    : 'possibly in use (no VM configs were read: give --pve-config or --pve)';
  const unused = usedBy !== null && usedBy.length === 0;
  if (current && unused)
    return decision(
      'replace',
      section,
      self.version,
      `replaced cpu-model ${requested}: no VM config, pending change or snapshot uses it`,
    );
  if (current && input.inPlace) {
    const instead = decideModelWrite({ ...input, inPlace: false });
    return decision(
      'refused',
      section,
      self.version,
      `refusing to replace cpu-model ${requested} in place: ${who}; without --in-place: ${instead.message}`,
    );
  }
  const same = members.find((m) => sameContent(inFile.get(m.name)!, section));
  if (same)
    return decision(
      'present',
      { ...section, name: same.name },
      same.version,
      `cpu-model ${same.name} (a version of ${family}) is already exactly this: nothing to write, use custom-${same.name}`,
    );
  if (!current) {
    const retiredHere = input.retired?.has(requested);
    const newer = members.some((m) => m.version > self.version);
    if (!retiredHere && !newer) return decision('add', section, self.version, `added cpu-model ${requested}`);
    const n = next();
    return decision(
      'new-version',
      { ...section, name: n.name },
      n.version,
      `cpu-model ${requested} ${retiredHere ? 'once had another definition (inventory)' : `has newer versions (${members.map((m) => m.name).join(', ')})`}: added as ${n.name}`,
    );
  }
  const n = next();
  return decision(
    'new-version',
    { ...section, name: n.name },
    n.version,
    `cpu-model ${requested} is ${who}: left as it is; the new definition is ${n.name}`,
  );
}
