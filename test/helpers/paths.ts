import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
/** The real /proc/cpuinfo dumps (test/fixtures/cpuinfo/README.md says where they come from). */
export const fixturesDir = resolve(repoRoot, 'test/fixtures/cpuinfo');
/** libvirt's CPU map as Debian installs it (package libvirt0, pulled in by libvirt-clients). */
export const installedLibvirtCpuMap = '/usr/share/libvirt/cpu_map';
