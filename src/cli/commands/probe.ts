import type { Command } from 'commander';
import { hostname } from 'node:os';
import { runProbeLocally } from '../../fleet/ssh/local-probe.js';
import { profileFromProbe } from '../../sources/probe-reader.js';
import { parseProbeBundle } from '../../sources/probe-bundle.js';
import { notice, output } from '../output.js';
import { summarizeProfiles } from './profile.js';

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description(
      'profile this host exactly: asks QEMU/KVM (query-cpu-model-expansion of model host) when it can, else reads /proc/cpuinfo',
    )
    .option('-o, --output <file>', 'write the HostProfile JSON to a file')
    .option('--bundle', 'print the raw probe bundle instead of a profile')
    .option('--timeout <seconds>', 'give up after this long', '20')
    .action(async (opts: { output?: string; bundle?: boolean; timeout: string }) => {
      const bundle = await runProbeLocally({ timeoutMs: Number(opts.timeout) * 1000 });
      if (opts.bundle) return output(bundle, opts.output);
      const profile = profileFromProbe(parseProbeBundle(bundle, 'probe'), 'probe', hostname());
      if (opts.output) {
        output(JSON.stringify(profile, null, 2), opts.output);
        notice(summarizeProfiles([profile]));
      } else output(JSON.stringify(profile, null, 2));
    });
}
