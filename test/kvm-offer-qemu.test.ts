/**
 * No model KVM cannot run: for every pair of the real cpuinfo dumps and for all of them together, the
 * emitted -cpu string (and each per-vendor alternative) is expanded by the installed QEMU, and every
 * feature in that expansion must be one the generated KVM table offers on each host with an unknown
 * kernel. The JSON `features` must be exactly QEMU's expansion. One QEMU process, many QMP calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { linuxFlag, resolveFeature, resolveModel } from '../src/catalog/index.js';
import { computeBaseline } from '../src/engine/baseline.js';
import { checkMatrix } from '../src/engine/check.js';
import { parseCpuString } from '../src/formats/qemu-cpu.js';
import type { BaselineResult } from '../src/engine/types.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { QmpSession } from '../src/qemu/qmp.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { kvmOffer, kvmOfferFor } from '../src/sources/kvm-offer.js';
import { vmFromCpuString } from '../src/sources/vm/qemu-cpu.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { readProfileInputs } from '../src/sources/files.js';
import { expandCpuString, haveKvm, haveQemu } from './helpers/qemu.js';

const NEVER = ['dca', 'extapic', 'ibs', 'perfctr-nb', 'tce', 'wdt', 'skinit', 'lwp'];

interface Host {
  profile: HostProfile;
  flags: Set<string>;
  /** What the generated table says KVM offers on it, kernel unknown (CPUID-defined bits only) */
  offered: Set<string>;
}

function firstLine(text: string, key: string): string[] {
  const m = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm').exec(text);
  return m ? m[1].trim().split(/\s+/) : [];
}

function loadHosts(): Host[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.cpuinfo'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(fixturesDir, f), 'utf8');
      const profile = readCpuinfo(text, f, f.replace(/\.cpuinfo$/, ''));
      const flags = new Set(firstLine(text, 'flags'));
      const bugs = /^bugs\s*:/m.test(text) ? firstLine(text, 'bugs') : null;
      // The host CPU's bits, independently of the reader: each flag's CPUID bit by the catalog's Linux table
      const features = new Set([...flags].map((l) => linuxFlag(l)?.feature).filter((x): x is string => !!x));
      const offered = kvmOfferFor({ vendor: profile.vendor, features, flags, bugs, kernel: null }).features;
      return { profile, flags, offered };
    });
}

/**
 * QEMU's static expansion of a -cpu string as a KVM guest gets it. Under KVM that is QEMU's answer
 * itself. Under TCG QEMU applies no KVM defaults (kvm_default_props: kvmclock & co. on, monitor, svm,
 * acpi off...) and hides kvm-* props: those bits, where the base model's TCG and KVM expansions differ
 * (both checked against QEMU by catalog-qemu.test.ts), take the KVM value with the string's own deltas.
 */
async function expansion(s: QmpSession, cpu: string, underKvm: boolean): Promise<string[]> {
  const got = await expandCpuString(s, cpu);
  if (underKvm) return got;
  const p = parseCpuString(cpu);
  const m = resolveModel(p.model)!;
  const accel = new Set(
    [...m.features, ...m.kvmFeatures].filter((f) => m.features.includes(f) !== m.kvmFeatures.includes(f)),
  );
  const isAccel = (f: string) => accel.has(f) || resolveFeature(f)?.vendor === 'kvm';
  const kvmSide = new Set(m.kvmFeatures.filter(isAccel));
  for (const [f, on] of p.features) {
    if (!isAccel(f)) continue;
    if (on) kvmSide.add(f);
    else kvmSide.delete(f);
  }
  return [...got.filter((f) => !isAccel(f)), ...kvmSide].sort();
}

describe.skipIf(!haveQemu)('every emitted model is one KVM offers on each host (real dumps, kernel unknown)', () => {
  let tcg: QmpSession;
  const hosts = loadHosts();
  beforeAll(async () => {
    tcg = await QmpSession.start({ accel: haveKvm ? 'kvm' : 'tcg' });
  });
  afterAll(async () => tcg?.close());

  const tableKnows = (f: string) => f in kvmOffer.features;

  async function verify(set: Host[], label: string): Promise<number> {
    const r: BaselineResult = computeBaseline(set.map((h) => h.profile));
    const strings = [r.cpu, ...r.alternatives.map((a) => a.cpu)];
    const groups = [set, ...r.alternatives.map((a) => set.filter((h) => a.hosts.includes(h.profile.name)))];
    for (const [i, cpu] of strings.entries()) {
      const got = await expansion(tcg, cpu, haveKvm);
      for (const h of groups[i]) {
        const notOffered = got.filter((f) => tableKnows(f) && !h.offered.has(f) && !kvmOffer.qemuAdds.includes(f));
        expect(notOffered, `${label}: ${cpu} on ${h.profile.name}`).toEqual([]);
        if (got.includes('pku'))
          expect(h.flags.has('ospke'), `${label}: pku without ospke on ${h.profile.name}`).toBe(true);
      }
      expect(
        got.filter((f) => NEVER.includes(f)),
        `${label}: ${cpu}`,
      ).toEqual([]);
    }
    // The promise is QEMU's own expansion of the emitted string
    expect(r.features, `${label}: promise vs QEMU`).toEqual(await expansion(tcg, r.cpu, haveKvm));
    // check's verdict on the emitted string: runnable on every host, and nothing it needs is unoffered
    const vm = vmFromCpuString(r.cpu, label, 'model');
    const m = checkMatrix(
      [vm],
      set.map((h) => h.profile),
    );
    expect(
      m.cells.filter((c) => !c.ok).map((c) => `${c.host}: ${c.missing.map((x) => x.feature).join(' ')}`),
      label,
    ).toEqual([]);
    return strings.length;
  }

  it('each pair of the 23 dumps', async () => {
    expect(hosts.length).toBe(23);
    let strings = 0,
      pairs = 0;
    for (let i = 0; i < hosts.length; i++)
      for (let j = i + 1; j < hosts.length; j++) {
        strings += await verify([hosts[i], hosts[j]], `${hosts[i].profile.name} + ${hosts[j].profile.name}`);
        pairs++;
      }
    expect(pairs).toBe(253);
    expect(strings).toBeGreaterThan(253);
  }, 300_000);

  it('all 23 together', async () => {
    expect(await verify(hosts, 'all 23')).toBe(3);
  });

  it("promise = QEMU's expansion for every dump alone under every known kernel release, and the example cluster", async () => {
    let n = 0;
    for (const f of readdirSync(fixturesDir).filter((x) => x.endsWith('.cpuinfo'))) {
      const text = readFileSync(join(fixturesDir, f), 'utf8');
      for (const kernel of kvmOffer.releases) {
        const r = computeBaseline([readCpuinfo(text, f, f, { kernel })]);
        expect(r.features, `${f} @${kernel}: ${r.cpu}`).toEqual(await expansion(tcg, r.cpu, haveKvm));
        n++;
      }
    }
    const example = computeBaseline(readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]));
    expect(example.features).toEqual(await expansion(tcg, example.cpu, haveKvm));
    expect(n).toBe(23 * kvmOffer.releases.length);
  }, 300_000);

  it('-arch-capabilities takes every ARCH_CAPABILITIES bit out of the promise, as QEMU does', async () => {
    const vm = vmFromCpuString('Cascadelake-Server-v3,-arch-capabilities', 'x', 'x');
    const got = await expansion(tcg, 'Cascadelake-Server-v3,-arch-capabilities', haveKvm);
    for (const f of ['rdctl-no', 'ibrs-all', 'skip-l1dfl-vmentry', 'mds-no']) {
      expect(vm.features).not.toContain(f);
      expect(got).not.toContain(f);
    }
  });
});
