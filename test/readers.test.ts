import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allFeatures, allLinuxFlags, canonicalFeature } from '../src/catalog/index.js';
import { InputError } from '../src/errors.js';
import { HostProfileSchema, type HostProfile } from '../src/profile/host-profile.js';
import { cpuidRawReader, featuresFromLeaves, parseCpuidRaw, signature } from '../src/sources/cpuid-raw.js';
import { READERS, readProfilesFromText, type ReadOptions } from '../src/sources/index.js';
import { lscpuReader } from '../src/sources/lscpu.js';
import { pveClusterFlagsReader, pveNodeStatusReader } from '../src/sources/pve.js';
import { virshDomcapsReader } from '../src/sources/virsh.js';
import { fixturesDir as cpuinfoDir, repoRoot } from './helpers/paths.js';

const fx = (p: string) => resolve(repoRoot, 'test/fixtures', p);
const load = (p: string) => readFileSync(fx(p), 'utf8');
const cpuinfo = (f: string) => readFileSync(join(cpuinfoDir, f), 'utf8');
const read = (text: string, where: string, name = 'host', opts: ReadOptions = {}) => {
  const profiles = readProfilesFromText(text, where, name, opts);
  for (const p of profiles) expect(HostProfileSchema.safeParse(p).success, `${where}: schema`).toBe(true);
  return profiles;
};
const readOne = (text: string, where: string, name = 'host', opts: ReadOptions = {}) => {
  const ps = read(text, where, name, opts);
  expect(ps).toHaveLength(1);
  return ps[0];
};
const inputError = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return e as InputError;
  }
  throw new Error('expected an InputError');
};

describe('cpuinfo dumps (shared fixtures)', () => {
  const files = readdirSync(cpuinfoDir).filter((f) => f.endsWith('.cpuinfo'));

  // The one cut-off dump (its flags line ends in "con$" and lacks syscall) is refused unless allowed
  const truncated = 'Xeon-E5504_nehalem_hp-dl180.cpuinfo';

  it.each(files)('%s reads into one approximate profile', (f) => {
    if (f === truncated)
      expect(inputError(() => read(cpuinfo(f), f)).message).toMatch(
        /Xeon-E5504_nehalem_hp-dl180.cpuinfo: host "host" lacks syscall of the x86-64 baseline/,
      );
    const p = readOne(cpuinfo(f), f, f.replace(/\.cpuinfo$/, ''), { allowIncomplete: f === truncated });
    expect(p.source).toBe('cpuinfo');
    expect(p.exact).toBe(false);
    expect(p.name).toBe(f.replace(/\.cpuinfo$/, ''));
    expect(['GenuineIntel', 'AuthenticAMD']).toContain(p.vendor);
    expect(p.vendor === 'GenuineIntel').toBe(f.startsWith('Xeon') || f.startsWith('Core'));
    expect(p.features).toContain('sse2');
  });

  it('Broadwell Xeon E5-2690 v4: Intel spec-ctrl from ibpb+ibrs, and the AMD bits KVM also sets on Intel', () => {
    const p = readOne(cpuinfo('Xeon-E5-2690-v4_broadwell.cpuinfo'), 'bdw');
    expect(p.vendor).toBe('GenuineIntel');
    expect([p.family, p.model, p.stepping, p.physBits]).toEqual([6, 79, 1, 46]);
    for (const f of ['spec-ctrl', 'stibp', 'avx2', 'ibpb', 'ibrs', 'amd-stibp', 'invtsc', 'vmx'])
      expect(p.features).toContain(f);
    for (const f of ['svm', 'monitor', 'acpi', 'ht', 'ds']) expect(p.features).not.toContain(f);
  });

  it.each(['EPYC-7301_naples.cpuinfo', 'EPYC-9654_genoa.cpuinfo'])(
    "%s: AMD, no Intel spec-ctrl from Linux's synthetic ibrs",
    (f) => {
      const text = cpuinfo(f);
      const p = readOne(text, f);
      expect(p.vendor).toBe('AuthenticAMD');
      // Genoa's kernel prints Linux's synthetic ibrs (Intel or AMD IBRS); Naples' older one only ibpb
      expect(/^flags\s*:.*\bibrs\b/m.test(text)).toBe(f.includes('genoa'));
      expect(p.features).not.toContain('spec-ctrl');
      expect(p.features).toContain('ibpb');
      expect(p.features).toContain('svm');
      expect(p.features).not.toContain('vmx');
    },
  );
});

describe('cpuinfo stanzas', () => {
  const broadwell = cpuinfo('Xeon-E5-2690-v4_broadwell.cpuinfo').trim();
  const dropAvx2 = (t: string) => t.replace(/^(flags\s*:.*) avx2\b/m, '$1');

  it('reads a whole dump of agreeing processors as its first stanza, and intersects disagreeing ones with a note', () => {
    const one = readOne(broadwell, 'one');
    const same = readOne(
      Array.from({ length: 64 }, (_, i) => broadwell.replace(/^processor\s*:.*$/m, `processor\t: ${i}`)).join('\n\n'),
      'same',
    );
    expect(same.features).toEqual(one.features);
    expect(same.notes).toEqual(one.notes);
    // The odd processor out anywhere in the dump, or a later line equal to neither the first nor the previous
    for (const odd of [1, 40, 63]) {
      const stanzas = Array.from({ length: 64 }, (_, i) => (i === odd ? dropAvx2(broadwell) : broadwell));
      const p = readOne(stanzas.join('\n\n'), `odd ${odd}`);
      expect(p.features).not.toContain('avx2');
      expect(p.notes!.some((n) => /processors disagree on flags; using the \d+ flags all 64 share/.test(n))).toBe(true);
    }
    const alternating = Array.from({ length: 6 }, (_, i) => (i % 2 ? dropAvx2(broadwell) : broadwell));
    expect(readOne(alternating.join('\n\n'), 'alternating').features).not.toContain('avx2');
  });

  it('takes model facts from the first stanza that has flags or vendor_id, flags from every stanza', () => {
    const later = broadwell
      .replace(/^model name\s*:.*$/m, 'model name\t: Other')
      .replace(/^vendor_id.*$/m, 'vendor_id\t: AuthenticAMD');
    const p = readOne(`processor : 9\nmodel name : ignored\n\n${broadwell}\n\n${dropAvx2(later)}`, 'mixed');
    expect(p.vendor).toBe('GenuineIntel');
    expect(p.modelName).toBe('Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz');
    expect(p.features).not.toContain('avx2');
    // A stanza without a flags line contributes none
    expect(readOne(`${broadwell}\n\nprocessor : 1\nvendor_id : GenuineIntel`, 'no flags').features).toContain('avx2');
  });

  it('trims values as String.prototype.trim does, non-ASCII blanks included', () => {
    const p = readOne(broadwell.replace(/^model name\s*:.*$/m, 'model name\t:\u00a0 Xeon \u3000\r'), 'nbsp');
    expect(p.modelName).toBe('Xeon');
    const q = readOne(broadwell.replace(/^(flags\s*:.*)$/m, '$1 \u00a0'), 'flags nbsp');
    expect(q.features).toEqual(readOne(broadwell, 'plain').features);
  });
});

describe('lscpu', () => {
  const txt = load('lscpu/epyc-nested.lscpu.txt');
  const json = load('lscpu/epyc-nested.lscpu.json');

  it('reads recorded plain and -J output alike, detected from content', () => {
    const a = readOne(txt, 'a.json', 'epyc');
    const b = readOne(json, 'b.txt', 'epyc');
    expect(a.source).toBe('lscpu');
    expect(b.source).toBe('lscpu');
    expect(b.features).toEqual(a.features);
    expect([a.vendor, a.family, a.model, a.stepping, a.physBits, a.modelName]).toEqual([
      'AuthenticAMD',
      25,
      1,
      1,
      48,
      'AMD EPYC',
    ]);
    expect(a.exact).toBe(false);
    expect(a.mitigations?.spec_store_bypass).toBe('Vulnerable');
    expect(b.mitigations).toEqual(a.mitigations);
  });

  it('agrees with /proc/cpuinfo recorded on the same machine', () => {
    const fromCpuinfo = readOne(load('cpuid/epyc-nested.cpuinfo'), 'cpuinfo');
    expect(readOne(txt, 'lscpu').features).toEqual(fromCpuinfo.features);
  });

  it('hand-written Intel sample: the same features as the cpuinfo dump it was written from', () => {
    const p = readOne(load('lscpu/xeon-e5-2690-v4.lscpu.txt'), 'xeon', 'xeon');
    const c = readOne(cpuinfo('Xeon-E5-2690-v4_broadwell.cpuinfo'), 'bdw');
    expect(p.features).toEqual(c.features);
    expect([p.vendor, p.family, p.model, p.stepping, p.physBits]).toEqual(['GenuineIntel', 6, 79, 1, 46]);
    expect(p.mitigations).toBeUndefined();
  });

  it('vulnerability lines stand in for cpuinfo bugs only when all needed ones are there', () => {
    const withArch = txt; // the recorded sample: Meltdown/MDS not affected, SSB vulnerable
    const noVuln = txt
      .split('\n')
      .filter((l) => !l.startsWith('Vulnerability'))
      .join('\n');
    const a = lscpuReader.read(withArch, 'a', 'a')[0];
    const b = lscpuReader.read(noVuln, 'b', 'b')[0];
    expect(b.features.filter((f) => !a.features.includes(f))).toEqual([]);
    expect(a.features).not.toContain('amd-no-ssb'); // spec_store_bypass: Vulnerable
  });

  it('refuses lscpu output without Flags with a one-line error naming the input', () => {
    const e = inputError(() => lscpuReader.read(txt.replace(/^Flags:.*$/m, ''), 'node7.txt', 'x'));
    expect(e.message).toMatch(/^node7\.txt: no "Flags:" field; expected lscpu/);
  });
});

describe('virsh domcapabilities', () => {
  const recorded = load('virsh/epyc-nested.domcapabilities.xml');

  it('recorded sample: exact host-model of the nested EPYC, QEMU version from the machine type', () => {
    const p = readOne(recorded, 'dc.txt', 'epyc');
    expect(p.source).toBe('virsh-domcapabilities');
    expect(p.exact).toBe(true);
    expect(p.vendor).toBe('AuthenticAMD');
    expect(p.qemu).toBe('7.2');
    // this nested host's KVM offers no SSE3/AVX (QEMU agrees, see below): disabled in host-model
    for (const f of ['pni', 'avx', 'avx2', 'svm']) expect(p.features).not.toContain(f);
    for (const f of [
      'topoext',
      'x2apic',
      'tsc-deadline',
      'arch-capabilities',
      'rdctl-no',
      'cmp-legacy',
      'tsc-adjust',
      'sse2',
    ])
      expect(p.features).toContain(f);
    expect(p.runnableModels).toEqual(['486-v1', 'pentium-v1', 'pentium2-v1', 'pentium3-v1']);
    expect(p.notes?.join(' ')).toMatch(/unusable without blockers/);
  });

  it("claims nothing QEMU's own host expansion on the same machine does not offer (invtsc, topoext aside)", () => {
    const qmp = readOne(load('virsh/epyc-nested.qmp-host-full.jsonl'), 'qmp');
    expect(qmp.source).toBe('qmp-bundle');
    const dc = readOne(recorded, 'dc');
    // libvirt computes host-model without QEMU's migratable filter, so invtsc (unmigratable) shows up;
    // topoext is in QEMU's EPYC-Milan and QEMU fills it in under KVM (kvm.json qemuProvided), though
    // its "host" expansion leaves it out
    expect(dc.features.filter((f) => !qmp.features.includes(f))).toEqual(['invtsc', 'topoext']);
  });

  it('hand-written Broadwell sample: require/disable, blockers, maxphysaddr', () => {
    const p = readOne(load('virsh/xeon-e5-2690-v4.domcapabilities.xml'), 'bdw', 'bdw');
    expect(p.vendor).toBe('GenuineIntel');
    expect([p.qemu, p.physBits]).toEqual(['8.2', 46]);
    for (const f of ['spec-ctrl', 'vmx', 'md-clear', 'tsc-adjust', 'f16c', 'abm', 'gds-no'])
      expect(p.features).toContain(f);
    for (const f of ['hle', 'rtm']) expect(p.features).not.toContain(f);
    expect(p.runnableModels).toContain('Broadwell-v4');
    expect(p.unavailable?.['Broadwell-v3']).toEqual(['hle', 'rtm']);
    expect(p.unavailable?.['EPYC-Rome-v1']).toContain('fxsr-opt'); // libvirt's fxsr_opt, translated
    expect(p.unavailable?.['Broadwell-v4']).toEqual([]);
  });

  it('refuses TCG domcapabilities and host-model-less XML', () => {
    const tcg = recorded.replace('<domain>kvm</domain>', '<domain>qemu</domain>');
    expect(inputError(() => virshDomcapsReader.read(tcg, 'tcg.xml', 'x')).message).toMatch(
      /^tcg\.xml: domain type is qemu/,
    );
    const noHm = recorded.replace(
      "<mode name='host-model' supported='yes'>",
      "<mode name='host-model' supported='no'>",
    );
    expect(inputError(() => virshDomcapsReader.read(noHm, 'nohm.xml', 'x')).message).toMatch(/host-model/);
  });
});

describe('virsh capabilities', () => {
  it('recorded sample: the host CPU with KVM view applied, approximate', () => {
    const p = readOne(load('virsh/epyc-nested.capabilities.xml'), 'caps', 'epyc');
    expect(p.source).toBe('virsh-capabilities');
    expect(p.exact).toBe(false);
    expect([p.vendor, p.family, p.model, p.stepping, p.physBits, p.microcode]).toEqual([
      'AuthenticAMD',
      25,
      1,
      1,
      48,
      '0x1000065',
    ]);
    // kvm64's own features plus the listed ones; osxsave/ht are never given to guests
    for (const f of ['sse2', 'pni', 'avx2', 'sha-ni', 'cmp-legacy', 'lahf-lm', 'invtsc', 'kvmclock'])
      expect(p.features).toContain(f);
    for (const f of ['osxsave', 'ht', 'spec-ctrl']) expect(p.features).not.toContain(f);
    // the host CPU as libvirt sees it equals what Linux shows on the same machine
    expect(p.features).toEqual(readOne(load('cpuid/epyc-nested.cpuinfo'), 'ci').features);
  });

  it('hand-written Broadwell sample agrees with its cpuinfo dump on what Linux can show', () => {
    const p = readOne(load('virsh/xeon-e5-2690-v4.capabilities.xml'), 'bdw');
    const c = readOne(cpuinfo('Xeon-E5-2690-v4_broadwell.cpuinfo'), 'ci');
    expect([p.family, p.model, p.physBits, p.microcode]).toEqual([6, 79, 46, '0xb00002a']);
    // cpuinfo shows hle/rtm (the dump predates TSX being disabled); libvirt's noTSX model does not
    // (cpuinfo's vnmi is Intel's VMX virtual-NMI flag; QEMU's vnmi is the AMD SVM bit KVM gives Intel guests never)
    expect(c.features.filter((f) => !p.features.includes(f))).toEqual(['hle', 'rtm']);
  });

  it("refuses the test driver's i686 host with a one-line error", () => {
    const e = inputError(() => read(load('virsh/test-driver.capabilities.xml'), 'test.xml'));
    expect(e.message).toMatch(/^test\.xml: host CPU architecture is i686/);
  });
});

describe('cpuid -r', () => {
  const all = load('cpuid/epyc-nested.cpuid-r.txt');
  const one = load('cpuid/epyc-nested.cpuid-1r.txt');
  const proc = load('cpuid/epyc-nested.cpuinfo');

  it('decodes vendor, signature, brand and physBits from the recorded dump', () => {
    const p = readOne(all, 'dump.txt', 'epyc');
    expect(p.source).toBe('cpuid-raw');
    expect(p.exact).toBe(false);
    expect([p.vendor, p.family, p.model, p.stepping, p.physBits, p.modelName]).toEqual([
      'AuthenticAMD',
      25,
      1,
      1,
      48,
      'AMD EPYC',
    ]);
    expect(readOne(one, 'one').features).toEqual(p.features);
  });

  it('signature follows the extended family/model rules', () => {
    expect(signature(0x000406f1)).toEqual({ family: 6, model: 79, stepping: 1 }); // Broadwell-EP
    expect(signature(0x00a00f11)).toEqual({ family: 25, model: 1, stepping: 1 }); // Zen 3
    expect(signature(0x00800f12)).toEqual({ family: 23, model: 1, stepping: 2 }); // Zen 1
    expect(signature(0x00000f4a)).toEqual({ family: 15, model: 4, stepping: 10 }); // NetBurst
    expect(signature(0x00000543)).toEqual({ family: 5, model: 4, stepping: 3 }); // no extended model below family 6
  });

  it('raw bits agree with /proc/cpuinfo flags on every bit both can see', () => {
    const bits = featuresFromLeaves(parseCpuidRaw(all, 'dump'));
    const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(proc)![1].split(/\s+/));
    const byName = new Map(allFeatures().map((f) => [f.name, f]));
    const checked: string[] = [];
    const disagree: string[] = [];
    for (const l of allLinuxFlags()) {
      if (l.kind !== 'cpuid' || !l.feature) continue;
      const f = byName.get(l.feature);
      if (!f?.cpuid || (f.cpuid.leaf >= 0x40000000 && f.cpuid.leaf < 0x80000000)) continue;
      // OS-enabled mirrors and bits Linux clears at boot are not CPU facts
      if (['ospke', 'osxsave'].includes(l.name)) continue;
      checked.push(l.name);
      if (flags.has(l.name) !== bits.has(l.feature))
        disagree.push(`${l.name}:${flags.has(l.name) ? 'linux' : 'cpuid'}`);
    }
    expect(checked.length).toBeGreaterThan(150);
    expect(disagree).toEqual([]);
  });

  it("the profile claims everything cpuinfo's does, plus only bits Linux does not print", () => {
    const raw = readOne(all, 'raw');
    const ci = readOne(proc, 'ci');
    expect(ci.features.filter((f) => !raw.features.includes(f))).toEqual([]);
    const shown = new Set(allLinuxFlags().map((l) => l.feature));
    expect(raw.features.filter((f) => !ci.features.includes(f) && shown.has(f))).toEqual([]);
  });

  it('an Intel dump: vendor string, spec-ctrl and the AMD bits KVM synthesizes', () => {
    // Broadwell-EP leaves 0, 1, 7 and 0x80000000-8 (values from an E5-2690 v4)
    const dump = [
      'CPU 0:',
      '   0x00000000 0x00: eax=0x00000014 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69',
      '   0x00000001 0x00: eax=0x000406f1 ebx=0x00200800 ecx=0x7ffefbff edx=0xbfebfbff',
      '   0x00000007 0x00: eax=0x00000000 ebx=0x021cbfbb ecx=0x00000000 edx=0x9c000000',
      '   0x80000000 0x00: eax=0x80000008 ebx=0x00000000 ecx=0x00000000 edx=0x00000000',
      '   0x80000001 0x00: eax=0x00000000 ebx=0x00000000 ecx=0x00000121 edx=0x2c100800',
      '   0x80000007 0x00: eax=0x00000000 ebx=0x00000000 ecx=0x00000000 edx=0x00000100',
      '   0x80000008 0x00: eax=0x0000302e ebx=0x00000000 ecx=0x00000000 edx=0x00000000',
      // beyond the maximum basic leaf: Intel repeats leaf 0x14's data; must be ignored
      '   0x00000029 0x00: eax=0xffffffff ebx=0xffffffff ecx=0xffffffff edx=0xffffffff',
    ].join('\n');
    const p = readOne(dump, 'intel.txt');
    expect([p.vendor, p.family, p.model, p.stepping, p.physBits]).toEqual(['GenuineIntel', 6, 79, 1, 46]);
    for (const f of [
      'spec-ctrl',
      'stibp',
      'ssbd',
      'ibpb',
      'ibrs',
      'amd-stibp',
      'amd-ssbd',
      'avx2',
      'rtm',
      'invtsc',
      'vmx',
    ])
      expect(p.features).toContain(f);
    for (const f of ['monitor', 'ds', 'ht', 'avx10']) expect(p.features).not.toContain(f);
  });

  it('refuses a dump without leaves 0 and 1', () => {
    const e = inputError(() =>
      cpuidRawReader.read(
        'CPU 0:\n   0x00000007 0x00: eax=0x00000000 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n',
        'x.txt',
        'x',
      ),
    );
    expect(e.message).toMatch(/^x\.txt: no leaf 0x0 and 0x1 lines/);
  });
});

describe('Proxmox API', () => {
  const status = (v: string, n: string) => load(`pve/${v}/nodes/${n}/status.json`);

  it.each(['8.4', '9.2'])('PVE %s node status: vendor, kernel, approximate features', (v) => {
    const ps = ['pve1', 'pve2', 'pve3'].map((n) => readOne(status(v, n), `${n}.json`, n));
    expect(ps.map((p) => p.source)).toEqual(['pve-node-status', 'pve-node-status', 'pve-node-status']);
    expect(ps.map((p) => p.vendor)).toEqual(['GenuineIntel', 'AuthenticAMD', 'GenuineIntel']);
    expect(ps.every((p) => !p.exact)).toBe(true);
    expect(ps[0].kernel).toBe(v === '8.4' ? '6.8.12-15-pve' : '6.17.4-2-pve');
    expect(ps[0].features).toContain('spec-ctrl');
    // KVM 6.8 sets SPEC_CTRL from IBPB+IBRS on AMD too (cpuid.c:670); from 6.14 it also needs AMD_IBPB_RET, which cpuinfo hides
    expect(ps[1].features.includes('spec-ctrl')).toBe(v === '8.4');
    expect(ps[1].family).toBe(v === '9.2' ? 23 : null);
    expect(ps[0].notes?.some((n) => n.includes('inferred'))).toBe(v === '8.4');
    expect(ps[0].notes).toContain(
      v === '8.4' ? 'Proxmox pve-manager/8.4.14/b502d23c55afcba1' : 'Proxmox pve-manager/9.2.1/0c6f1b7d2e94a3f5',
    );
  });

  it('takes node names from a wrapper, and several nodes from an array', () => {
    const body = (n: string) => JSON.parse(status('9.2', n)).data;
    const one = readOne(JSON.stringify({ node: 'alpha', data: body('pve1') }), 'status.json', 'status');
    expect(one.name).toBe('alpha');
    const raw = readOne(JSON.stringify(body('pve2')), 'beta.json', 'beta');
    expect(raw.name).toBe('beta');
    const many = read(
      JSON.stringify(['pve1', 'pve2', 'pve3'].map((n) => ({ node: n, data: body(n) }))),
      'all.json',
      'all',
    );
    expect(many.map((p) => [p.name, p.vendor])).toEqual([
      ['pve1', 'GenuineIntel'],
      ['pve2', 'AuthenticAMD'],
      ['pve3', 'GenuineIntel'],
    ]);
  });

  it("PVE's error body is a one-line InputError", () => {
    const e = inputError(() =>
      pveNodeStatusReader.read(
        '{"data":null,"message":"Method \'GET /nodes/x/status\' not implemented\\n"}',
        'x.json',
        'x',
      ),
    );
    expect(e.message).toMatch(/^x\.json: Proxmox answered with an error: Method/);
  });

  it('cluster cpu-flags: one exact profile per node, vendor from vmx/svm', () => {
    const text = load('pve/9.2/cluster/qemu/cpu-flags.json');
    const ps = read(text, 'cpu-flags.json', 'cpu-flags');
    expect(ps.map((p) => [p.name, p.vendor, p.exact, p.source])).toEqual([
      ['pve1', 'GenuineIntel', true, 'pve-cluster-cpu-flags'],
      ['pve2', 'AuthenticAMD', true, 'pve-cluster-cpu-flags'],
      ['pve3', 'GenuineIntel', true, 'pve-cluster-cpu-flags'],
    ]);
    const flags = JSON.parse(text).data as { name: string; 'supported-on': string[] }[];
    // Nothing dropped silently: every flag offered on pve3 is a feature, or named in the notes, or nested-virt
    const notes = ps[2].notes!.join(' ');
    for (const f of flags.filter((x) => x['supported-on'].includes('pve3') && x.name !== 'nested-virt'))
      expect(ps[2].features.includes(canonicalFeature(f.name) ?? '') || notes.includes(` ${f.name}`), f.name).toBe(
        true,
      );
    // a flag a newer QEMU recognizes that this catalog does not: kept out, and said so
    const newer = read(
      JSON.stringify({ data: [...flags, { name: 'some-future-flag', 'supported-on': ['pve3'] }] }),
      'newer.json',
      'x',
    );
    expect(newer[2].notes!.join(' ')).toMatch(/not know \(ignored\): .*some-future-flag/);
    expect(ps[2].features).toContain('avx512f');
    expect(ps[0].features).not.toContain('avx512f');
    expect(ps[1].features).toContain('svm');
    // the unwrapped array reads the same
    expect(pveClusterFlagsReader.read(JSON.stringify(flags), 'raw.json', 'x')).toEqual(ps);
  });

  it('cluster cpu-flags without vmx/svm: vendor unknown, said in notes', () => {
    const [p] = read(
      JSON.stringify([
        { name: 'sse4_1', 'supported-on': ['n1'] },
        { name: 'avx', 'supported-on': ['n1'] },
      ]),
      'f.json',
      'host',
      { allowIncomplete: true },
    );
    expect([p.name, p.vendor, p.features]).toEqual(['n1', 'unknown', ['avx', 'sse4.1']]);
    expect(p.notes?.[0]).toMatch(/vendor unknown/);
  });
});

describe('detection', () => {
  const samples: [string, string][] = [
    ['lscpu/epyc-nested.lscpu.txt', 'lscpu'],
    ['lscpu/epyc-nested.lscpu.json', 'lscpu'],
    ['virsh/epyc-nested.domcapabilities.xml', 'virsh-domcapabilities'],
    ['virsh/epyc-nested.capabilities.xml', 'virsh-capabilities'],
    ['cpuid/epyc-nested.cpuid-r.txt', 'cpuid-raw'],
    ['cpuid/epyc-nested.cpuid-1r.txt', 'cpuid-raw'],
    ['cpuid/epyc-nested.cpuinfo', 'cpuinfo'],
    ['pve/9.2/nodes/pve1/status.json', 'pve-node-status'],
    ['pve/9.2/cluster/qemu/cpu-flags.json', 'pve-cluster-cpu-flags'],
    ['virsh/epyc-nested.qmp-host-full.jsonl', 'qmp-expansion'],
  ];
  it.each(samples)('%s is detected as %s by exactly the first matching reader', (file, format) => {
    const text = load(file);
    expect(READERS.find((r) => r.detect(text))?.format).toBe(format);
  });

  it('a format nobody reads names the input and the supported formats', () => {
    const e = inputError(() => readProfilesFromText('hello world\n', 'notes.md', 'x'));
    expect(e.message).toMatch(/^notes\.md: unrecognized format; supported: /);
    for (const s of [
      'lscpu',
      'virsh capabilities',
      'virsh domcapabilities',
      'cpuid -r',
      '/nodes/{node}/status',
      '/cluster/qemu/cpu-flags',
    ])
      expect(e.message).toContain(s);
  });

  it('profiles are valid against the schema for every sample', () => {
    const out: HostProfile[] = samples.flatMap(([f]) => read(load(f), f));
    expect(out.length).toBeGreaterThan(samples.length - 1);
  });
});
