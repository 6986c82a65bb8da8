/**
 * Host data that lacks what every x86-64 host offers (a cut-off dump, empty QMP props) or is of another
 * architecture is refused: exit 2, one line naming what is missing; --allow-incomplete warns instead.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../src/errors.js';
import type { PveClusterData } from '../src/proxmox/api/client.js';
import { profilesFromPveCluster } from '../src/proxmox/api/profiles.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { cli } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-incomplete-'));

describe('truncated or foreign host data: exit 2, one line, nothing written', () => {
  const write = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  const refused = (args: string[]) => {
    const out = join(tmp, `out-${Math.random().toString(36).slice(2)}`);
    const r = cli([...args, '-o', out]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    return r.stderr;
  };

  const cut = 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 79\nflags\t\t: fpu vme de\n';
  const arm =
    'processor\t: 0\nBogoMIPS\t: 50.00\nflags\t\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\n' +
    'CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n';

  it('a cpuinfo whose flags line is cut names what is missing; --allow-incomplete warns instead', () => {
    const f = write('cut.cpuinfo', cut);
    const err = refused(['baseline', f]);
    expect(err).toContain(f);
    expect(err).toMatch(/lacks lm, cmov, cx8, fxsr, mmx, syscall, sse, sse2 of the x86-64 baseline/);
    expect(err).toMatch(/--allow-incomplete/);
    const ok = cli(['baseline', f, '--allow-incomplete', '--format', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).warnings.map((w: { code: string }) => w.code)).toContain('incomplete-profile');
  });

  it('an ARM cpuinfo with a flags key is refused even with --allow-incomplete', () => {
    const f = write('arm.cpuinfo', arm);
    for (const extra of [[], ['--allow-incomplete']]) expect(refused(['baseline', f, ...extra])).toMatch(/ARM/);
  });

  it('a QMP reply with empty props is refused', () => {
    const f = write('empty-props.json', JSON.stringify({ return: { model: { name: 'host', props: {} } } }));
    expect(refused(['profile', f])).toMatch(/empty-props.json: host "empty-props" lacks every feature/);
  });

  it('the cut-off real Nehalem dump: refused by baseline, check and models --host; allowed with the flag', () => {
    const nehalem = join(fixturesDir, 'Xeon-E5504_nehalem_hp-dl180.cpuinfo');
    const westmere = join(fixturesDir, 'Xeon-E5649_westmere.cpuinfo');
    expect(refused(['baseline', nehalem, westmere])).toMatch(/lacks syscall/);
    expect(cli(['check', nehalem, '--vm', 'kvm64']).code).toBe(2);
    expect(cli(['models', '--host', nehalem]).code).toBe(2);
    const ok = cli(['baseline', nehalem, westmere, '--allow-incomplete', '--format', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    const w = JSON.parse(ok.stdout).warnings.find((x: { code: string }) => x.code === 'incomplete-profile');
    expect(w.message).toMatch(/Xeon-E5504_nehalem_hp-dl180/);
    expect(cli(['check', nehalem, '--vm', 'kvm64', '--allow-incomplete']).code).not.toBe(2);
  });

  it('refusals are InputErrors from the shared read path (the dashboard gets the same line)', () => {
    expect(() => readProfilesFromText(cut, 'pasted', 'p')).toThrowError(InputError);
    expect(readProfilesFromText(cut, 'pasted', 'p', { allowIncomplete: true })[0].features).toContain('fpu');
  });
});

describe('Proxmox cluster scan with one unusable node status', () => {
  it('records that node as a problem and keeps the others', () => {
    const status = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/pve/8.4/nodes/pve1/status.json'), 'utf8'));
    const body = status.data ?? status;
    const cut = { ...body, cpuinfo: { ...body.cpuinfo, flags: 'fpu vme de' } };
    const r = profilesFromPveCluster(
      {
        nodes: [
          { node: 'pve1', status: body },
          { node: 'pve2', status: cut },
        ],
        clusterCpuFlags: null,
        pveVersion: '8.4.14',
      } as PveClusterData,
      'https://pve1:8006',
    );
    expect(r.profiles.map((p) => p.name)).toEqual(['pve1']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^pve2: https:\/\/pve1:8006\/nodes\/pve2\/status: host "pve2" lacks lm/);
  });
});
