import { allModels, canonicalFeature, knownNewerThan } from '../../catalog/index.js';
import { InputError } from '../../errors.js';
import { unavailableOn } from '../../engine/runnable.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readProfileInputs } from '../../sources/files.js';
import { output } from '../output.js';
import { table } from '../table.js';

/** One row of `models --host --json`: `name` and `aliases` as in `models --json`. */
export interface ModelRunnability {
  /** Versioned QEMU model name */
  name: string;
  aliases: string[];
  runnable: boolean;
  missing: string[];
  /** QEMU's own answer when the profile carries it, and where we disagree */
  qemuSays?: { runnable: boolean; missing: string[] };
  disagreement?: { onlyOurs: string[]; onlyQemu: string[] };
}

/** The offline twin of query-cpu-definitions' unavailable-features for one host. */
export function modelsForHost(host: HostProfile, qemu?: string): ModelRunnability[] {
  const version = qemu ?? host.qemu ?? undefined;
  return allModels()
    .filter((m) => !m.abstract && (!version || !knownNewerThan(m.qemu, version)))
    .map((m) => {
      const missing = unavailableOn(host, m.kvmFeatures);
      const row: ModelRunnability = {
        name: m.name,
        aliases: m.aliases,
        runnable: missing.length === 0,
        missing,
      };
      const theirs = host.unavailable?.[m.name];
      if (theirs) {
        row.qemuSays = { runnable: theirs.length === 0, missing: [...new Set(theirs)].sort() };
        const ours = new Set(missing);
        const q = new Set(theirs.map((f) => canonicalFeature(f) ?? f));
        const onlyOurs = missing.filter((f) => !q.has(f));
        const onlyQemu = [...q].filter((f) => !ours.has(f));
        if (onlyOurs.length || onlyQemu.length) row.disagreement = { onlyOurs, onlyQemu };
      }
      return row;
    });
}

export function runModelsForHost(
  input: string,
  opts: { json: boolean; qemu?: string; allowIncomplete?: boolean },
): void {
  const profiles = readProfileInputs([input], opts);
  if (profiles.length !== 1) throw new InputError(input, `expected one host profile, found ${profiles.length}`);
  const rows = modelsForHost(profiles[0], opts.qemu);
  if (opts.json) return output(JSON.stringify(rows, null, 2));
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
