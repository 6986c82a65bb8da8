import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { QmpSession, enabledProps, expandCpuModel, queryCpuDefinitions } from '../src/qemu/qmp.js';
import { featuresFromProps } from '../src/sources/qmp-reply.js';
import { canonicalFeature } from '../src/catalog/index.js';
import { haveKvm } from './helpers/qemu.js';
import { pieces } from '../src/cli/output.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-cli-'));

describe('CLI', () => {
  it('baseline on the bundled example: text and the JSON contract', () => {
    const text = cli(['baseline', 'examples/field-report-cluster']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/-kvm-pv-unhalt/);
    const json = cli(['baseline', 'examples/field-report-cluster', '--format', 'json']);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    for (const k of ['cpu', 'base', 'features', 'lost', 'warnings', 'hosts']) expect(r).toHaveProperty(k);
    expect(r.hosts.sort()).toEqual(['pve-amd1', 'pve-intel1']);
    expect(r.lost[0]).toHaveProperty('missingOn');
    expect(r.warnings[0]).toHaveProperty('code');
  });

  it('every --format renders', () => {
    for (const f of ['text', 'json', 'pve', 'pve-args', 'qemu', 'libvirt', 'nova', 'kubevirt', 'incus']) {
      const r = cli(['baseline', 'examples/field-report-cluster', '--format', f]);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(20);
    }
  });

  it('bad input: one line naming the file, exit 2, nothing written', () => {
    const bad = join(tmp, 'garbage.txt');
    writeFileSync(bad, 'hello world\nthis is not cpu data\n');
    const out = join(tmp, 'out.txt');
    const r = cli(['baseline', bad, '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/unrecognized format; supported: /);
    expect(() => readFileSync(out)).toThrow();
    expect(cli(['baseline', join(tmp, 'nope')]).code).toBe(2);
    expect(cli(['baseline', 'examples/field-report-cluster', '--format', 'yaml']).code).toBe(2);
    expect(cli(['models', '--qemu', 'latest']).code).toBe(2);
    const empty = join(tmp, 'empty');
    writeFileSync(empty, '');
    expect(cli(['profile', empty]).stderr).toMatch(/empty input/);
    const trunc = join(tmp, 'trunc.json');
    writeFileSync(trunc, '{"return": {"model": {"name": "host", "props": {"sse');
    const t = cli(['profile', trunc]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/trunc.json/);
  });

  it('features and models as JSON keep the contract', () => {
    const f = JSON.parse(cli(['features', '--json', '--qemu', '7.2']).stdout);
    const pni = f.find((x: { name: string }) => x.name === 'pni');
    expect(pni.aliases).toContain('sse3');
    expect(pni.linux).toBe('pni');
    expect(pni.cpuid).toEqual({ leaf: 1, subleaf: null, register: 'ecx', bit: 0 });
    const m = JSON.parse(cli(['models', '--json', '--qemu', '8.1']).stdout);
    const rome = m.find((x: { name: string }) => x.name === 'EPYC-Rome-v4');
    expect(rome).toMatchObject({ vendor: 'AuthenticAMD', qemu: '8.1' });
    expect(m.find((x: { name: string }) => x.name === 'GraniteRapids-v3')).toBeUndefined();
  });

  it('check exits 1 when a VM cannot start somewhere, 0 when all can', () => {
    const no = cli(['check', 'examples/field-report-cluster', '--vm', 'Broadwell-v1']);
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(/pve-amd1: missing/);
    const yes = cli(['check', 'examples/field-report-cluster', '--vm', 'kvm64,+aes', '--json']);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.stdout)[0]).toMatchObject({ ok: true, missing: [] });
  });
});

/** The exact-profile promises of issues 3 and 5, against this machine's real KVM and QEMU. */
describe.skipIf(!haveKvm)('probe and models --host against QEMU itself', () => {
  const probeFile = join(tmp, 'probe.json');

  it("probe's features equal QEMU's own host expansion", async () => {
    const r = cli(['probe', '-o', probeFile]);
    expect(r.code, r.stderr).toBe(0);
    const profile = JSON.parse(readFileSync(probeFile, 'utf8'));
    expect(profile.exact).toBe(true);
    const kvm = await QmpSession.start({ accel: 'kvm' });
    try {
      const host = await expandCpuModel(kvm, 'full', { name: 'host' });
      expect(profile.features).toEqual(featuresFromProps(host.props!));
      expect(profile.features.length).toBeGreaterThan(20);
      expect(
        enabledProps(host)
          .filter((p) => canonicalFeature(p) === p)
          .sort(),
      ).toEqual(profile.features);
    } finally {
      await kvm.close();
    }
  });

  it("models --host agrees with QEMU's unavailable-features for every model QEMU lists", async () => {
    const r = cli(['models', '--host', probeFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ours = new Map<string, { runnable: boolean; missing: string[] }>(
      JSON.parse(r.stdout).map((x: { name: string }) => [x.name, x]),
    );
    const kvm = await QmpSession.start({ accel: 'kvm' });
    try {
      const defs = (await queryCpuDefinitions(kvm)).filter(
        (d) => !d['alias-of'] && !['host', 'max', 'base'].includes(d.name),
      );
      expect(defs.length).toBeGreaterThan(50);
      for (const d of defs) {
        const o = ours.get(d.name);
        expect(o, d.name).toBeDefined();
        // QEMU repeats a name once per CPUID word it gates (mpx, avx512f): compare as sets
        expect(o!.missing.slice().sort(), d.name).toEqual(
          [...new Set((d['unavailable-features'] ?? []).map((f) => canonicalFeature(f) ?? f))].sort(),
        );
      }
    } finally {
      await kvm.close();
    }
  });
});

describe('output of long texts', () => {
  it('goes out in pieces that never split a surrogate pair and join to the text', () => {
    const mib = 1 << 20;
    const text = 'a'.repeat(mib - 1) + '\u{1F600}' + 'b'.repeat(mib) + '\u{1F600}' + 'c';
    const parts = [...pieces(text)];
    expect(parts.join('')).toBe(text);
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      const last = p.charCodeAt(p.length - 1);
      expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
      expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
    }
  });
});
