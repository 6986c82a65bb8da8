/** `migratable models --host`: every model, runnable on one host or which features block it. */
import { InputError } from '../../errors.js';
import { modelsForHost } from '../../engine/runnable.js';
import { readHostInputs } from '../inputs.js';
import { parseQemuVersion } from '../options.js';
import { output } from '../output.js';
import { table } from '../table.js';
import { safeJson } from '../../safe-json.js';

export async function runModelsForHost(
  input: string,
  opts: { json?: boolean; qemu?: string; kernel?: string; allowIncomplete?: boolean; probe?: boolean },
): Promise<void> {
  const qemu = parseQemuVersion(opts.qemu);
  const profiles = await readHostInputs([input], opts);
  if (profiles.length !== 1) throw new InputError(input, `expected one host profile, found ${profiles.length}`);
  const rows = modelsForHost(profiles[0], qemu);
  if (opts.json) return output(safeJson(rows));
  const disagreements = rows.filter((r) => r.disagreement);
  output(
    table(
      ['model', 'runnable', 'missing'],
      rows.map((r) => [r.name, r.runnable ? 'yes' : 'no', r.missing.join(' ') || '-']),
    ) +
      `\n\n${rows.filter((r) => r.runnable).length} of ${rows.length} models runnable on ${profiles[0].name}` +
      (profiles[0].unavailable
        ? disagreements.length
          ? `\nQEMU's own answer differs for ${disagreements.length} model(s): ${disagreements.map((d) => `${d.name} (ours only: ${d.disagreement!.onlyOurs.join(' ') || '-'}; QEMU only: ${d.disagreement!.onlyQemu.join(' ') || '-'})`).join('; ')}`
          : "\nagrees with QEMU's own unavailable-features for every model"
        : ''),
  );
}
