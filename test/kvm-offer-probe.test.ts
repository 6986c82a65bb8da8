/**
 * The generated KVM table against a real KVM: `probe` asks QEMU/KVM itself (exact), and the table
 * predicts the same host from its /proc/cpuinfo and kernel. Compared on the CPUID bits the table knows
 * (nested VMX controls and MSR bits are not in /proc/cpuinfo at all; src/sources/offer-crosscheck.ts).
 *
 * The table describes kvm_intel/kvm_amd on bare metal. There, every difference must have a cause the
 * sources give (offer-crosscheck.ts lists them: a QEMU too old for the name, QEMU's unmigratable
 * filter, a module parameter off, a kernel between two table releases, a condition cpuinfo cannot
 * prove); an unexplained one fails, in either direction. No count is tolerated.
 *
 * A host that is itself a VM (nested kvm_intel/kvm_amd, or a paravirtual module such as kvm_pvm, which
 * needs no VT-x) offers what the outer hypervisor passes down, which its cpuinfo does not show: there
 * the detection (host-kind.ts) must fire instead, and the recorded kvm_pvm machine replays the failure
 * the table produced there before the detection existed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readProfilesFromText } from '../src/sources/index.js';
import { releaseFor } from '../src/sources/kvm-offer.js';
import { parseProbeBundle } from '../src/sources/probe-bundle.js';
import { profileFromProbe } from '../src/sources/probe-reader.js';
import { PROBE_SCRIPT } from '../src/sources/probe-script.js';
import { tableUnfitReason } from '../src/sources/host-kind.js';
import { crossCheckOffer, unexplained, type OfferCrossCheck } from '../src/sources/offer-crosscheck.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { cli } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { haveKvm } from './helpers/qemu.js';

const PVM = join(repoRoot, 'test', 'fixtures', 'hosts', 'kvm-pvm-sapphirerapids');
const NEVER_OFFERED = ['dca', 'extapic', 'ibs', 'perfctr-nb', 'tce', 'wdt', 'skinit', 'lwp'];
const tmp = mkdtempSync(join(tmpdir(), 'migratable-kvm-probe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The probe script run over a recorded or made-up root (MIGRATABLE_PROBE_ROOT), read into a profile. */
function replayProbe(root: string): HostProfile {
  const r = spawnSync('/bin/sh', ['-s'], {
    input: PROBE_SCRIPT,
    env: { ...process.env, MIGRATABLE_PROBE_ROOT: root },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return profileFromProbe(parseProbeBundle(r.stdout, root), root, 'replay');
}

/** A root with a real cpuinfo dump and a made-up /sys/module (module -> parameter -> value). */
function madeUpRoot(name: string, cpuinfo: string, modules: Record<string, Record<string, string>>): string {
  const root = join(tmp, name);
  mkdirSync(join(root, 'proc'), { recursive: true });
  mkdirSync(join(root, 'dev'), { recursive: true });
  writeFileSync(join(root, 'proc', 'cpuinfo'), cpuinfo);
  writeFileSync(join(root, 'dev', 'kvm'), '');
  for (const [m, params] of Object.entries(modules)) {
    mkdirSync(join(root, 'sys', 'module', m, 'parameters'), { recursive: true });
    for (const [p, v] of Object.entries(params))
      writeFileSync(join(root, 'sys', 'module', m, 'parameters', p), v + '\n');
  }
  return root;
}

function describeCheck(kernel: string, c: OfferCrossCheck): string {
  const list = (ds: OfferCrossCheck['claimedNotOffered']) =>
    ds.map((d) => `${d.feature}${d.cause ? `(${d.cause})` : ''}`).join(' ');
  return (
    `kernel ${kernel} (table release ${c.release}): ${c.agreed} agree; ` +
    `claimed but not offered [${list(c.claimedNotOffered)}]; offered but not claimed [${list(c.offeredNotClaimed)}]`
  );
}

function tableVsProbe(cpuinfo: HostProfile, exact: HostProfile): OfferCrossCheck {
  return crossCheckOffer(cpuinfo.features, exact.features, {
    vendor: exact.vendor,
    kernel: exact.kernel,
    qemu: exact.qemu,
    params: exact.hostKind?.kvm?.params,
  });
}

describe('recorded: kvm_pvm in a Sapphire Rapids VM (fixtures/hosts/kvm-pvm-sapphirerapids)', () => {
  const recorded = profileFromProbe(
    parseProbeBundle(readFileSync(join(PVM, 'probe.bundle'), 'utf8'), 'probe.bundle'),
    'probe.bundle',
    'pvm',
  );

  it('the probe script reads the recorded /sys/module tree: kvm_pvm serves /dev/kvm, the host is a VM', () => {
    const p = replayProbe(join(PVM, 'root'));
    expect(p.hostKind?.virtual).toBe(true);
    expect(p.hostKind?.evidence.join('; ')).toMatch(/hypervisor flag/);
    expect(p.hostKind?.kvm).toMatchObject({ device: true, module: 'kvm_pvm', standard: false, nested: null });
    expect(p.hostKind?.kvm?.params?.kvm).toEqual({ enable_pmu: 'N' });
    expect(p.exact).toBe(false);
    expect(tableUnfitReason(p.hostKind!, p.hostKind!.kvm!)).toMatch(/virtual machine/);
  });

  it('the recorded bundle says the same, with lscpu naming KVM as the outer hypervisor', () => {
    expect(recorded.exact).toBe(true);
    expect(recorded.hostKind).toMatchObject({ virtual: true, hypervisor: 'KVM' });
    expect(recorded.hostKind?.kvm?.module).toBe('kvm_pvm');
  });

  it("reproduces the table's failure there: dozens of features claimed that KVM did not offer", () => {
    const [fromCpuinfo] = readProfilesFromText(
      readFileSync(join(PVM, 'root', 'proc', 'cpuinfo'), 'utf8'),
      'cpuinfo',
      'pvm',
      { kernel: recorded.kernel },
    );
    const check = tableVsProbe(fromCpuinfo, recorded);
    console.info(`recorded kvm_pvm: ${describeCheck(recorded.kernel!, check)}`);
    const { claimed } = unexplained(check);
    // QEMU refused even qemu64,enforce there for want of pni (qemu64-enforce.txt)
    expect(claimed).toEqual(expect.arrayContaining(['pni', 'ssse3', 'sse4.1', 'avx', 'aes', 'bmi1']));
    expect(claimed.length).toBeGreaterThan(50);
    // ...and the detection marks the host before any of that is used
    expect(fromCpuinfo.hostKind?.virtual).toBe(true);
  });
});

describe('the detection on made-up /sys/module trees over real cpuinfo dumps', () => {
  const xeon = readFileSync(join(fixturesDir, 'Xeon-Gold-6132_skylake.cpuinfo'), 'utf8');
  const epyc = readFileSync(join(fixturesDir, 'EPYC-9654_genoa.cpuinfo'), 'utf8');
  const asGuest = (cpuinfo: string) => cpuinfo.replace(/^(flags\s*:.*)$/gm, '$1 hypervisor');

  it('bare-metal kvm_amd with nested=1: a standard module, the table applies', () => {
    const p = replayProbe(madeUpRoot('amd', epyc, { kvm: {}, kvm_amd: { nested: '1', npt: '1' } }));
    expect(p.hostKind).toMatchObject({ virtual: false, kvm: { module: 'kvm_amd', standard: true, nested: true } });
    expect(tableUnfitReason(p.hostKind!, p.hostKind!.kvm!)).toBeNull();
  });

  it('nested kvm_intel (an Intel VM with VT-x passed down): the detection fires', () => {
    const p = replayProbe(madeUpRoot('nested', asGuest(xeon), { kvm: {}, kvm_intel: { nested: 'N' } }));
    expect(p.hostKind).toMatchObject({ virtual: true, kvm: { module: 'kvm_intel', standard: true, nested: false } });
    expect(tableUnfitReason(p.hostKind!, p.hostKind!.kvm!)).toMatch(/virtual machine/);
  });

  it('a built-in kvm_intel on a CPU without vmx is not what serves /dev/kvm', () => {
    const noVmx = xeon.replace(/ vmx\b/g, '');
    const p = replayProbe(madeUpRoot('builtin', noVmx, { kvm: {}, kvm_intel: { nested: 'Y' }, kvm_pvm: {} }));
    expect(p.hostKind?.kvm).toMatchObject({ module: 'kvm_pvm', standard: false });
    expect(p.hostKind?.kvm?.why).toMatch(/kvm_intel ignored: no vmx flag/);
    expect(tableUnfitReason(p.hostKind!, p.hostKind!.kvm!)).toMatch(/kvm_pvm/);
  });

  it('no /dev/kvm: no module serves it', () => {
    const root = madeUpRoot('nokvm', xeon, { kvm: {} });
    rmSync(join(root, 'dev', 'kvm'));
    const p = replayProbe(root);
    expect(p.hostKind?.kvm).toMatchObject({ device: false, module: null, why: 'no /dev/kvm' });
  });
});

describe.skipIf(!haveKvm)("this machine's KVM against the table", () => {
  it('bare-metal kvm_intel/kvm_amd: every difference has a cause; otherwise the detection fires', () => {
    const file = join(tmp, 'probe.json');
    const r = cli(['probe', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    const exact = JSON.parse(readFileSync(file, 'utf8')) as HostProfile;
    expect(exact.exact).toBe(true);
    expect(exact.hostKind?.kvm?.device).toBe(true);
    // the table's prediction of the same host: this machine's own cpuinfo is read for the running kernel
    const [predicted] = readProfilesFromText(readFileSync('/proc/cpuinfo', 'utf8'), '/proc/cpuinfo', 'local', {
      kernel: release(),
    });
    expect(releaseFor(release())).not.toBeNull();
    const check = tableVsProbe(predicted, exact);
    const unfit = tableUnfitReason(exact.hostKind!, exact.hostKind!.kvm ?? null);
    console.info(
      `this machine: ${exact.hostKind?.kvm?.why}; ${unfit ?? 'bare metal'}; ${describeCheck(release(), check)}`,
    );
    for (const f of NEVER_OFFERED) expect(predicted.features, f).not.toContain(f);
    if (unfit) {
      // A VM or another module: the cpuinfo profile must say it is not to be trusted
      expect(exact.hostKind!.virtual || !exact.hostKind!.kvm?.standard).toBe(true);
      if (exact.hostKind!.virtual) expect(predicted.hostKind?.virtual).toBe(true);
      return;
    }
    expect(exact.features.length).toBeGreaterThan(40);
    expect(unexplained(check), describeCheck(release(), check)).toEqual({ claimed: [], offered: [] });
  });
});
