import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostProfile } from '../../src/profile/host-profile.js';
import { readCpuinfo } from '../../src/sources/cpuinfo.js';
import { withKernel } from '../../src/sources/guest-view.js';
import { fixturesDir } from './paths.js';

/**
 * Every real /proc/cpuinfo dump in test/fixtures/cpuinfo, read into profiles named after the file; with
 * `kernel`, judged for that Linux release's KVM (else for an unknown kernel).
 */
export function fixtureProfiles(kernel?: string): HostProfile[] {
  if (kernel) return withKernel(kernel, () => fixtureProfiles()).map((p) => ({ ...p, kernel }));
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.cpuinfo'))
    .sort()
    .map((f) => readCpuinfo(readFileSync(join(fixturesDir, f), 'utf8'), f, f.replace(/\.cpuinfo$/, '')));
}
