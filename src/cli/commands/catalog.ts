import type { Command } from 'commander';
import { allFeatures, allModels, compareVersions, featuresKnownIn, modelsKnownIn } from '../../catalog/index.js';
import { formatBit } from '../../catalog/format.js';
import { InputError } from '../../errors.js';
import { table } from '../table.js';
import { allowIncompleteOption } from './allow-incomplete-option.js';

export function parseQemuVersion(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+\.\d+(\.\d+)?$/.test(v))
    throw new InputError('--qemu', `expected a QEMU version like 7.2 or 8.1.5, got "${v}"`);
  return v;
}

export function registerCatalogCommands(program: Command): void {
  program
    .command('features')
    .description('list every x86 CPU feature the catalog knows: QEMU name, aliases, Linux name, CPUID bit')
    .option('--json', 'print a JSON array')
    .option('--qemu <version>', 'only features this QEMU version knows')
    .action((opts: { json?: boolean; qemu?: string }) => {
      const qemu = parseQemuVersion(opts.qemu);
      const list = qemu ? featuresKnownIn(qemu) : [...allFeatures()];
      if (opts.json) return void console.log(JSON.stringify(list, null, 2));
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
    });

  program
    .command('models')
    .description('list QEMU x86 CPU models with their versions, vendors and features')
    .option('--json', 'print a JSON array')
    .option('--qemu <version>', 'only models this QEMU version has')
    .option('--host <profile>', 'for one host profile: every model with runnable and missing features')
    .option(...allowIncompleteOption)
    .action(async (opts: { json?: boolean; qemu?: string; host?: string; allowIncomplete?: boolean }) => {
      if (opts.host) {
        const { runModelsForHost } = await import('./models-host.js');
        return runModelsForHost(opts.host, {
          json: !!opts.json,
          qemu: parseQemuVersion(opts.qemu),
          allowIncomplete: opts.allowIncomplete,
        });
      }
      const qemu = parseQemuVersion(opts.qemu);
      const list = (qemu ? modelsKnownIn(qemu) : [...allModels()]).sort(
        (a, b) => compareVersions(a.qemu, b.qemu) || a.name.localeCompare(b.name, 'en', { numeric: true }),
      );
      if (opts.json) return void console.log(JSON.stringify(list, null, 2));
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
    });
}
