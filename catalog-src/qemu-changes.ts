/**
 * Checks catalog-src/qemu-changes.json (changes between QEMU releases that matter for live migration,
 * each citing where it was checked) and returns it for data/qemu-changes.json.
 */
import type { QemuChange } from '../src/catalog/types.js';

const VENDORS = new Set(['GenuineIntel', 'AuthenticAMD', 'HygonGenuine', 'CentaurHauls']);

export function checkQemuChanges(file: { changes: QemuChange[] }, known: (name: string) => boolean): QemuChange[] {
  const ids = new Set<string>();
  for (const c of file.changes) {
    const where = `qemu-changes.json: ${c.id}`;
    if (!c.id || ids.has(c.id)) throw new Error(`${where}: missing or repeated id`);
    ids.add(c.id);
    if (!/^\d+\.\d+$/.test(c.release)) throw new Error(`${where}: release "${c.release}" is not major.minor`);
    if (c.vendor !== null && !VENDORS.has(c.vendor)) throw new Error(`${where}: unknown vendor ${c.vendor}`);
    for (const f of c.features) if (!known(f)) throw new Error(`${where}: unknown feature ${f}`);
    if (!c.summary.trim() || !c.source.trim()) throw new Error(`${where}: summary and source are required`);
  }
  return file.changes;
}
