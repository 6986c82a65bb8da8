import type { Command } from 'commander';
import type { HostProfile } from '../../profile/host-profile.js';
import { readProfileInputs } from '../../sources/files.js';
import { output } from '../output.js';
import { table } from '../table.js';
import { allowIncompleteOption } from './allow-incomplete-option.js';

export function summarizeProfiles(profiles: HostProfile[]): string {
  const rows = profiles.map((p) => [
    p.name,
    p.vendor,
    p.modelName ?? (p.family !== null ? `family ${p.family} model ${p.model}` : '-'),
    p.exact ? 'exact' : 'approximate',
    p.source,
    String(p.features.length),
    p.physBits !== null ? String(p.physBits) : '?',
    p.qemu ?? '-',
  ]);
  const notes = profiles.flatMap((p) => (p.notes ?? []).map((n) => `  ${p.name}: ${n}`));
  return (
    table(['host', 'vendor', 'cpu', 'exactness', 'source', 'features', 'phys-bits', 'qemu'], rows) +
    (notes.length ? `\n\nnotes:\n${notes.join('\n')}` : '')
  );
}

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('read host CPU data of any supported format and print the normalized host profiles')
    .argument('<inputs...>', 'files, directories, or - for stdin')
    .option('--json', 'print the HostProfile objects as a JSON array')
    .option(...allowIncompleteOption)
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((inputs: string[], opts: { json?: boolean; allowIncomplete?: boolean; output?: string }) => {
      const profiles = readProfileInputs(inputs, opts);
      output(opts.json ? JSON.stringify(profiles, null, 2) : summarizeProfiles(profiles), opts.output);
    });
}
