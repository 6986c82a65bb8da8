/**
 * What a model version *is*: its definition without its name, in the form Proxmox's own writer would
 * leave it, so a section PVE rewrote still matches the version migratable wrote.
 *
 * qemu-server's CPUConfig.pm write_config (9.2.6, e6352be6) fills `reported-model` with its default
 * `kvm64` when a section has none (since 9.1.15), and pve-common's SectionConfig.pm write_config
 * (9.2.1, f665029) writes the keys sorted and drops every comment line (parse_config skips them).
 * The flags list is kept as one string by PVE; QEMU applies the elements independently (a flag may
 * appear once), so their order carries no meaning and is not part of the content.
 */
import { createHash } from 'node:crypto';
import { renderCpuModelSection, type CpuModelSection } from '../../formats/pve-cpu-models.js';

/** qemu-server's $cpu_fmt default for reported-model */
const DEFAULT_REPORTED_MODEL = 'kvm64';

/** The section's content, normalized: name-free, defaults filled, flags sorted, `hidden 0` dropped. */
export function normalizedContent(m: CpuModelSection): string {
  const normal: CpuModelSection = {
    name: 'content',
    flags: [...m.flags].sort(),
    reportedModel: m.reportedModel ?? DEFAULT_REPORTED_MODEL,
    ...(m.physBits !== undefined ? { physBits: m.physBits } : {}),
    ...(m.hidden ? { hidden: true } : {}),
    ...(m.hvVendorId !== undefined ? { hvVendorId: m.hvVendorId } : {}),
    ...(m.guestPhysBits !== undefined ? { guestPhysBits: m.guestPhysBits } : {}),
    ...(m.level !== undefined ? { level: m.level } : {}),
  };
  try {
    return renderCpuModelSection(normal).replace(/^cpu-model: content\n/, '');
  } catch {
    // A section we could not write ourselves (PVE accepts more): compare it by its own fields
    return JSON.stringify(normal);
  }
}

export function sameContent(a: CpuModelSection, b: CpuModelSection): boolean {
  return normalizedContent(a) === normalizedContent(b);
}

/** `sha256:` and the hex digest of the normalized content: the version's identity in the inventory. */
export function contentHash(m: CpuModelSection): string {
  return `sha256:${createHash('sha256').update(normalizedContent(m)).digest('hex')}`;
}

/** The first 12 hex digits, for people. */
export const shortHash = (hash: string) => hash.replace(/^sha256:/, '').slice(0, 12);
