/** `migratable probe`: this host, exactly, through the same probe script a scan runs over SSH. */
import { hostname } from 'node:os';
import { runProbeLocally } from '../../fleet/ssh/local-probe.js';
import { profileFromProbe } from '../../sources/probe-reader.js';
import { parseProbeBundle } from '../../sources/probe-bundle.js';
import { notice, output } from '../output.js';
import { summarizeProfiles } from './profile.js';
import { safeJson } from '../../safe-json.js';

export interface ProbeOptions {
  output?: string;
  bundle?: boolean;
  timeout: string;
}

export async function runProbe(opts: ProbeOptions): Promise<void> {
  const bundle = await runProbeLocally({ timeoutMs: Number(opts.timeout) * 1000 });
  if (opts.bundle) return output(bundle, opts.output);
  const profile = profileFromProbe(parseProbeBundle(bundle, 'probe'), 'probe', hostname());
  if (opts.output) {
    output(safeJson(profile), opts.output);
    notice(summarizeProfiles([profile]));
  } else output(safeJson(profile));
}
