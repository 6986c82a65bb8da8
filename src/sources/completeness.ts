/** Refuses host data that cannot describe a 64-bit x86 KVM host: a cut-off dump, empty props, another architecture. */
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { X86_64_BASELINE, missingBaseline } from '../profile/x86-64.js';

export interface ReadOptions {
  /** Keep profiles that lack x86-64 baseline features (the baseline then warns "incomplete-profile") */
  allowIncomplete?: boolean;
}

export function refuseIncomplete(profiles: HostProfile[], where: string, opts: ReadOptions): HostProfile[] {
  if (opts.allowIncomplete) return profiles;
  for (const p of profiles) {
    const missing = missingBaseline(p.features);
    if (!missing.length) continue;
    const what = missing.length === X86_64_BASELINE.length ? 'every feature' : missing.join(', ');
    throw new InputError(
      where,
      `host "${p.name}" lacks ${what} of the x86-64 baseline (${X86_64_BASELINE.join(' ')}): truncated data, a 32-bit kernel or not an x86-64 host; --allow-incomplete uses it anyway`,
    );
  }
  return profiles;
}
