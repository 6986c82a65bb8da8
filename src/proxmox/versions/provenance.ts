/**
 * A model version's provenance: which hosts it was computed for, when, by which migratable, and its
 * content hash. Kept in the inventory (fleet/inventory/model-versions.ts), because Proxmox's own
 * writer of cpu-models.conf drops comment lines (qemu-server CPUConfig.pm write_config over pve-common
 * SectionConfig.pm write_config), and in the name (naming.ts). Pure.
 */
import { renderCpuModelSection, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { ModelVersionRecord } from '../../fleet/inventory/index.js';
import { MIGRATABLE_VERSION } from '../../tool-version.js';
import { contentHash } from './content.js';

export function versionRecord(
  section: CpuModelSection,
  action: ModelVersionRecord['action'],
  ctx: { family: string; version: number; hosts: string[]; file: string; now?: Date },
): ModelVersionRecord {
  return {
    name: section.name,
    family: ctx.family,
    version: ctx.version,
    contentHash: contentHash(section),
    section: renderCpuModelSection(section),
    hosts: ctx.hosts,
    action,
    recordedAt: (ctx.now ?? new Date()).toISOString(),
    toolVersion: MIGRATABLE_VERSION,
    file: ctx.file,
  };
}

/** Names the inventory saw with a definition other than `section`'s: they are never reused for it. */
export function retiredNames(records: ModelVersionRecord[], section: CpuModelSection): Set<string> {
  const hash = contentHash(section);
  return new Set(records.filter((r) => r.contentHash !== hash).map((r) => r.name));
}

/** The latest record of each name that is still in the file (what `plan` shows next to a version). */
export function latestRecords(records: ModelVersionRecord[]): Map<string, ModelVersionRecord> {
  const out = new Map<string, ModelVersionRecord>();
  for (const r of records) if (r.action !== 'removed') out.set(r.name, r);
  return out;
}
