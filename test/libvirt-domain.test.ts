/**
 * libvirt's own QEMU driver (Debian's libvirt 9.0, a private session daemon) defines and starts,
 * paused, a tiny domain with the emitted <cpu>: wherever this machine offers what libvirt checks, it
 * starts; elsewhere libvirt refuses with its own message, naming exactly the features this machine
 * lacks. The -cpu line libvirt builds gives the guest exactly the promise (QEMU's expansion).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kvm, resolveModel } from '../src/catalog/index.js';
import { computeBaseline } from '../src/engine/baseline.js';
import { parseCpuString } from '../src/formats/qemu-cpu.js';
import type { BaselineResult } from '../src/engine/types.js';
import { EMITTERS } from '../src/emitters/index.js';
import { libvirtDefinition, libvirtSpelling } from '../src/emitters/libvirt-names.js';
import { newProfile } from '../src/profile/build.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { featureFromLibvirt, libvirtRelease } from '../src/catalog/libvirt.js';
import { cli } from './helpers/cli.js';
import { pairResults } from './helpers/consumer-pairs.js';
import { startSessionLibvirtd, type SessionLibvirtd } from './helpers/libvirtd.js';

let lv: SessionLibvirtd;
let virtType: 'kvm' | 'qemu';
let offered: Set<string>;
let knownModels: Set<string>;

const q = (libvirtName: string) => featureFromLibvirt(libvirtName) ?? libvirtName;

/** What libvirt checks a custom CPU for: its definition of the model, minus disabled, plus required. */
function cpuNeeds(xml: string): { model: string; needs: Set<string>; disabled: Set<string> } {
  const model = /<model[^>]*>([^<]+)<\/model>/.exec(xml)![1];
  const feats = [...xml.matchAll(/<feature policy='(\w+)' name='([^']+)'\/>/g)];
  const disabled = new Set(feats.filter((f) => f[1] === 'disable').map((f) => q(f[2])));
  const needs = new Set([
    ...libvirtDefinition(model).filter((f) => !disabled.has(f)),
    ...feats.filter((f) => f[1] === 'require').map((f) => q(f[2])),
  ]);
  return { model, needs, disabled };
}

function domainXml(name: string, libvirtOut: string, check?: string): string {
  const cpu = /<cpu[\s\S]*<\/cpu>/.exec(libvirtOut)![0];
  const features = /^<features>[\s\S]*?^<\/features>/m.exec(libvirtOut)?.[0] ?? '';
  return `<domain type='${virtType}'>
  <name>${name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  ${features}
  ${check ? cpu.replace("check='partial'", `check='${check}'`) : cpu}
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
`;
}

function writeDomain(name: string, xml: string): string {
  const file = join(lv.dir, `${name}.xml`);
  writeFileSync(file, xml);
  return file;
}

/** The -cpu libvirt gives QEMU (check='none' so libvirt prints it even where this machine would refuse). */
function qemuCpuArg(name: string, libvirtOut: string): string {
  const r = lv.virsh([
    'domxml-to-native',
    'qemu-argv',
    writeDomain(`${name}-argv`, domainXml(name, libvirtOut, 'none')),
  ]);
  expect(r.stderr).toBe('');
  return /-cpu (\S+)/.exec(r.stdout)![1];
}

/** Features the guest gets from that -cpu under KVM: QEMU's expansion of the model plus the switches. */
function guestFeatures(cpuArg: string, domainFeatures: string): Set<string> {
  const parsed = parseCpuString(cpuArg);
  expect(parsed.unknown).toEqual([]);
  const set = new Set(resolveModel(parsed.model)!.kvmFeatures);
  for (const [f, on] of parsed.features) {
    if (on) set.add(f);
    else set.delete(f);
  }
  if (/<pvspinlock state='on'\/>/.test(domainFeatures)) set.add('kvm-pv-unhalt');
  return set;
}

function startsOrRefuses(name: string, libvirtOut: string) {
  const file = writeDomain(name, domainXml(name, libvirtOut));
  expect(lv.virsh(['define', file]).code).toBe(0);
  const r = lv.virsh(['start', '--paused', name]);
  if (r.code === 0) lv.virsh(['destroy', name]);
  lv.virsh(['undefine', name]);
  return r;
}

function expectLibvirtVerdict(name: string, out: string) {
  const { model, needs } = cpuNeeds(out);
  const lacking = [...needs].filter((f) => !offered.has(f)).sort();
  const r = startsOrRefuses(name, out);
  // Under TCG (type='qemu') libvirt also checks after launch that QEMU gave the guest the KVM
  // paravirtual spinlock bit (qemuProcessVerifyKVMFeatures), which only KVM can.
  const pvOnTcg = virtType === 'qemu' && /<pvspinlock state='on'\/>/.test(out);
  if (!lacking.length && pvOnTcg) {
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/host doesn't support paravirtual spinlocks/);
  } else if (!lacking.length) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  } else {
    expect(r.code).not.toBe(0);
    const m = /Host CPU does not provide required features: (.*)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![1].trim().split(', ').map(q).sort()).toEqual(lacking);
  }
  return { model, lacking, started: r.code === 0, stderr: r.stderr.trim() };
}

/** KVM's paravirtual bits: every KVM host has them; under TCG only those libvirt does not verify (no domain knob). */
function kvmBitsOffered(): string[] {
  const all = [...kvm.emulated, ...kvm.qemuProvided].filter((f) => f.startsWith('kvm'));
  return virtType === 'kvm' ? all : all.filter((f) => libvirtSpelling(f).kind === 'none');
}

beforeAll(async () => {
  lv = await startSessionLibvirtd();
  virtType = lv.virsh(['domcapabilities', '--virttype', 'kvm', '--arch', 'x86_64']).code === 0 ? 'kvm' : 'qemu';
  const caps = lv.virsh(['domcapabilities', '--virttype', virtType, '--arch', 'x86_64']).stdout;
  const hostModel = /<mode name='host-model' supported='yes'>([\s\S]*?)<\/mode>/.exec(caps)![1];
  const hm = cpuNeeds(hostModel.replace(/<model[^>]*>/, '<model>'));
  offered = hm.needs;
  knownModels = new Set(lv.virsh(['cpu-models', 'x86_64']).stdout.split('\n').filter(Boolean));
}, 60_000);

afterAll(async () => lv && (await lv.stop()));

describe(`libvirt ${'9.0'} QEMU driver starts what it can run and refuses what it cannot`, () => {
  const results = pairResults();

  for (const [pair, result] of Object.entries(results)) {
    it(`${pair}: a model libvirt knows, the promise on -cpu, started or refused by libvirt itself`, () => {
      const out = EMITTERS.libvirt.emit(result, {});
      expect(out).not.toContain("check='full'");
      const { model } = cpuNeeds(out);
      expect(knownModels.has(model), `${model} not in libvirt's cpu-models`).toBe(true);
      const unspelled = [...out.matchAll(/<!-- (\S+) has no libvirt [\d.]+ spelling/g)].map((m) => m[1]);
      const guest = guestFeatures(qemuCpuArg(`${pair}`, out), out);
      expect([...guest].sort()).toEqual(result.features.filter((f) => !unspelled.includes(f)));
      const v = expectLibvirtVerdict(pair, out);
      console.log(`${pair}: ${v.model} ${v.started ? 'started' : `refused: ${v.stderr}`}`);
    }, 60_000);
  }

  it("this machine's own probe: its baseline starts where the machine offers it, else libvirt names what is missing", () => {
    const probe = cli(['probe']);
    expect(probe.code).toBe(0);
    const r = computeBaseline(readProfilesFromText(probe.stdout, 'probe', 'self'), { name: 'self' });
    const v = expectLibvirtVerdict('self-probe', EMITTERS.libvirt.emit(r, {}));
    console.log(`probe: ${v.model} ${v.started ? 'started' : `refused: ${v.stderr}`}`);
  }, 120_000);

  it('what libvirt says this machine offers (domcapabilities host-model): that baseline starts', () => {
    const caps = lv.virsh(['domcapabilities', '--virttype', virtType, '--arch', 'x86_64']).stdout;
    const vendor = /<vendor>(\w+)<\/vendor>/.exec(caps)![1] === 'AMD' ? 'AuthenticAMD' : 'GenuineIntel';
    const host = newProfile({
      name: 'offered',
      vendor,
      features: [...offered, ...kvmBitsOffered()],
      exact: true,
      source: 'virsh-domcapabilities',
      physBits: 40,
    });
    const out = EMITTERS.libvirt.emit(computeBaseline([host], { name: 'offered' }), {});
    expect(knownModels.has(cpuNeeds(out).model)).toBe(true);
    expect(expectLibvirtVerdict('offered', out).started).toBe(true);
  }, 60_000);

  it('a named model this machine can run starts with exactly its QEMU expansion; check=full would not', () => {
    const caps = lv.virsh(['domcapabilities', '--virttype', virtType, '--arch', 'x86_64']).stdout;
    const usable = [...caps.matchAll(/<model usable='yes' vendor='(Intel|AMD)'>([^<]+)<\/model>/g)].map((m) => m[2]);
    const named = usable.map((n) => resolveModel(n)!).filter((m) => m?.verified);
    named.sort((a, b) => b.kvmFeatures.length - a.kvmFeatures.length);
    const m = named[0];
    const host = newProfile({
      name: 'named',
      vendor: m.vendor as 'GenuineIntel',
      features: m.kvmFeatures,
      exact: true,
      source: 'qmp-expansion',
      physBits: 40,
    });
    const r: BaselineResult = computeBaseline([host], { name: 'named' });
    const out = EMITTERS.libvirt.emit(r, {});
    expect(resolveModel(cpuNeeds(out).model)!.name).toBe(m.name);
    expect(expectLibvirtVerdict('named', out).started).toBe(true);
    // the same <cpu> with check='full' fails: libvirt's definition of the name differs from QEMU's
    const full = writeDomain('named-full', domainXml('named-full', out, 'full'));
    lv.virsh(['define', full]);
    const f = lv.virsh(['start', '--paused', 'named-full']);
    lv.virsh(['destroy', 'named-full']);
    lv.virsh(['undefine', 'named-full']);
    if (f.code !== 0) expect(f.stderr).toMatch(/guest CPU doesn't match specification/);
  }, 60_000);
});

describe("the catalog's libvirt 9.0 (data/libvirt.json)", () => {
  it('knows exactly the models the running libvirt 9.0 daemon lists', () => {
    const version = /libvirt (\d+\.\d+)/.exec(lv.virsh(['version']).stdout)?.[1];
    expect(version).toBe('9.0'); // Debian 12's; scripts/install-system-deps installs it
    expect([...libvirtRelease('9.0')!.models].sort()).toEqual([...knownModels].sort());
  });
});
