import type { HostProfile } from '../../src/profile/host-profile.js';
import { fixtureProfiles } from './fixtures.js';

const SITES = ['fra', 'ams', 'par'];
const STYLES = [
  (site: string, i: number) => `pve-${site}-${String(i).padStart(3, '0')}`,
  (site: string, i: number) => `hv${i}.${site}.example.org`,
  (site: string, i: number) => `${site.toUpperCase()}_NODE_${i}`,
  (site: string, i: number) => `kvm-${site}-rack${(i % 12) + 1}-u${i % 40}`,
];

/** A fleet of `n` hosts cycled from the real cpuinfo fixtures, named in the mixed styles real clusters have. */
export function fixtureFleet(n: number): HostProfile[] {
  const base = fixtureProfiles();
  return Array.from({ length: n }, (_, i) => {
    const site = SITES[i % SITES.length];
    return { ...base[i % base.length], name: STYLES[i % STYLES.length](site, i + 1) };
  });
}
