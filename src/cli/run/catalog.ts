/** `migratable features` and `migratable models`: the catalog as tables or JSON. */
import { allFeatures, allModels, featuresKnownIn, modelsKnownIn } from '../../catalog/index.js';
import { compareVersions } from '../../version.js';
import { formatBit } from '../../catalog/format.js';
import { parseQemuVersion } from '../options.js';
import { table } from '../table.js';
import { safeJson } from '../../safe-json.js';

export interface CatalogListOptions {
  json?: boolean;
  qemu?: string;
}

export function listFeatures(opts: CatalogListOptions): void {
  const qemu = parseQemuVersion(opts.qemu);
  const list = qemu ? featuresKnownIn(qemu) : [...allFeatures()];
  if (opts.json) return void console.log(safeJson(list));
  console.log(
    table(
      ['feature', 'linux', 'cpuid/msr', 'category', 'vendor', 'kvm', 'qemu', 'aliases'],
      list.map((f) => [
        f.name,
        f.linux ?? '-',
        formatBit(f),
        f.category,
        f.vendor,
        f.kvm,
        f.qemu ?? '?',
        f.aliases.join(','),
      ]),
    ),
  );
  console.log(`\n${list.length} features`);
}

export function listModels(opts: CatalogListOptions): void {
  const qemu = parseQemuVersion(opts.qemu);
  const list = (qemu ? modelsKnownIn(qemu) : [...allModels()]).sort(
    (a, b) => compareVersions(a.qemu, b.qemu) || a.name.localeCompare(b.name, 'en', { numeric: true }),
  );
  if (opts.json) return void console.log(safeJson(list));
  console.log(
    table(
      ['model', 'aliases', 'vendor', 'family/model', 'qemu', 'features', 'source'],
      list.map((m) => [
        m.name,
        m.aliases.join(',') || '-',
        m.vendor ?? 'generic',
        m.family !== null ? `${m.family}/${m.model}` : '-',
        m.qemu,
        String(m.features.length),
        m.abstract ? `proxmox (${m.abstract.base} + flags)` : m.verified ? m.source : `${m.source} (unverified)`,
      ]),
    ),
  );
  console.log(`\n${list.length} models`);
}
