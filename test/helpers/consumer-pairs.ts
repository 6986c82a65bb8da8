/** The clusters every consumer test runs: issue 13's Intel, AMD, old+new AMD and the field report's Intel+AMD pair. */
import { join } from 'node:path';
import { computeBaseline } from '../../src/engine/baseline.js';
import type { BaselineResult } from '../../src/engine/types.js';
import type { HostProfile } from '../../src/profile/host-profile.js';
import { readProfileInputs } from '../../src/sources/files.js';
import { fixtureProfiles } from './fixtures.js';
import { repoRoot } from './paths.js';

export const PAIRS: Record<string, string[]> = {
  intel: ['Xeon-E5-2690-v4_broadwell', 'Xeon-E5-2680-v3_haswell'],
  amd: ['EPYC-7301_naples', 'EPYC-9654_genoa'],
  'old-new-amd': ['Opteron-6320_piledriver', 'EPYC-9654_genoa'],
  'old-new-amd-fx': ['FX-8350_piledriver', 'EPYC-9654_genoa'],
};

export function pairHosts(): Record<string, HostProfile[]> {
  const all = fixtureProfiles();
  const out: Record<string, HostProfile[]> = {};
  for (const [k, names] of Object.entries(PAIRS)) out[k] = names.map((n) => all.find((p) => p.name === n)!);
  out['field-report'] = readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]);
  return out;
}

export function pairResults(): Record<string, BaselineResult> {
  return Object.fromEntries(
    Object.entries(pairHosts()).map(([k, hosts]) => [k, computeBaseline(hosts, { name: `m-${k}` })]),
  );
}
