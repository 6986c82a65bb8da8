/** Proxmox's nested-virt flag is vmx on Intel hosts and svm on AMD hosts (qemu-server CPUConfig.pm). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMatrix } from '../src/engine/check.js';
import { featuresOnHost } from '../src/engine/nested-virt.js';
import { readVmInputs } from '../src/sources/vm/files.js';
import { cli } from './helpers/cli.js';
import { fixtureProfiles } from './helpers/fixtures.js';
import { fixturesDir } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-nested-'));
const profiles = fixtureProfiles();
const host = (n: string) => profiles.find((p) => p.name.startsWith(n))!;
const vmFile = (name: string, cpu: string) => {
  const p = join(tmp, name);
  writeFileSync(p, `cpu: ${cpu}\nmemory: 2048\n`);
  return p;
};

describe('nested-virt in check', () => {
  const on = readVmInputs([vmFile('100.conf', 'kvm64,flags=+nested-virt')], new Map());
  const amd = host('EPYC-9654');
  const intel = host('Xeon-Gold-6132');

  it('becomes svm on an AMD host and vmx on an Intel host; both start', () => {
    expect(on[0].features).not.toContain('vmx');
    expect(on[0].nestedVirt).toBe(true);
    expect(featuresOnHost(on[0], amd)).toContain('svm');
    expect(featuresOnHost(on[0], amd)).not.toContain('vmx');
    expect(featuresOnHost(on[0], intel)).toContain('vmx');
    const r = checkMatrix(on, [amd, intel]);
    expect(r.cells.map((c) => [c.host, c.ok])).toEqual([
      [amd.name, true],
      [intel.name, true],
    ]);
    expect(r.cells[0].warnings.join(' ')).toMatch(/vmx on Intel hosts and svm on AMD hosts/);
  });

  it('a host whose KVM does not offer its flag is missing nested-virt, with the flag named', () => {
    const noNested = { ...amd, name: 'no-nested', features: amd.features.filter((f) => f !== 'svm') };
    const [c] = checkMatrix(on, [noNested]).cells;
    expect(c.ok).toBe(false);
    expect(c.missing).toEqual([
      { feature: 'nested-virt', why: expect.stringMatching(/nested-virt is svm on this host/) },
    ]);
    expect(checkMatrix(on, [noNested]).suggestions[0].dropFlags).toEqual(['nested-virt']);
  });

  it('-nested-virt removes only the host vendor flag', () => {
    const off = readVmInputs([vmFile('101.conf', 'kvm64,flags=-nested-virt')], new Map())[0];
    expect(off.nestedVirt).toBe(false);
    expect(featuresOnHost({ ...off, features: [...off.features, 'svm', 'vmx'] }, amd)).toContain('vmx');
    expect(featuresOnHost({ ...off, features: [...off.features, 'svm', 'vmx'] }, amd)).not.toContain('svm');
  });

  it('through the CLI: exit 0 on an AMD and an Intel dump', () => {
    const r = cli([
      'check',
      join(fixturesDir, 'EPYC-9654_genoa.cpuinfo'),
      join(fixturesDir, 'Xeon-Gold-6132_skylake.cpuinfo'),
      '--vm',
      vmFile('102.conf', 'kvm64,flags=+nested-virt'),
      '--json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).every((c: { ok: boolean }) => c.ok)).toBe(true);
  });
});
