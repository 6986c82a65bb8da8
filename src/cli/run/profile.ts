/** `migratable profile`: host data of any format, normalized. */
import type { HostProfile } from '../../profile/host-profile.js';
import { readHostInputs } from '../inputs.js';
import { output } from '../output.js';
import { table } from '../table.js';
import { safeJson } from '../../safe-json.js';

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

export interface ProfileOptions {
  json?: boolean;
  output?: string;
  kernel?: string;
  allowIncomplete?: boolean;
  probe?: boolean;
}

export async function runProfile(inputs: string[], opts: ProfileOptions): Promise<void> {
  const profiles = await readHostInputs(inputs, opts, { announce: false });
  output(opts.json ? safeJson(profiles) : summarizeProfiles(profiles), opts.output);
}
