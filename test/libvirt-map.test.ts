/**
 * data/libvirt.json against the libvirt installed here (Debian 12's libvirt 9.0, package libvirt0):
 * its cpu_map, read with the generator's own reader, must give exactly the catalog's 9.0 release
 * (model and feature names), the catalog's definition of every model it has, and the same gaps
 * against QEMU's models. The catalog took them from a newer map plus a curated 9.0 list; libvirt never
 * changes a released model (beyond added='yes' features), so any difference is a generator bug.
 */
import { describe, expect, it } from 'vitest';
import { libvirtDefinitions, readLibvirtFeatures, readLibvirtModels } from '../catalog-src/libvirt-map.js';
import { libvirtGaps } from '../catalog-src/stages/libvirt.js';
import { kvm, resolveModel } from '../src/catalog/index.js';
import { featureFromLibvirt, libvirtDefinitionOf, libvirtModelGaps, libvirtRelease } from '../src/catalog/libvirt.js';
import { installedLibvirtCpuMap } from './helpers/paths.js';
import { haveLibvirtCpuMap } from './helpers/qemu.js';

const release = libvirtRelease('9.0')!;
const qemuSpelling = (defs: Map<string, string[]>) =>
  new Map([...defs].map(([k, v]) => [k, [...new Set(v.map((x) => featureFromLibvirt(x) ?? x))].sort()]));

describe.skipIf(!haveLibvirtCpuMap)("the installed libvirt 9.0's CPU map and data/libvirt.json", () => {
  const models = haveLibvirtCpuMap ? readLibvirtModels(installedLibvirtCpuMap) : [];

  it('has the models and features of the catalog 9.0 release, in the same order', () => {
    expect(release.models).toEqual(models.map((m) => m.name));
    expect(release.features).toEqual(
      readLibvirtFeatures(installedLibvirtCpuMap)
        .map((f) => f.name)
        .sort(),
    );
    expect(release.models.length).toBeGreaterThan(50);
  });

  it("defines every model as the catalog does (QEMU's spelling, parents and removed='yes' included)", () => {
    const installed = qemuSpelling(libvirtDefinitions(models));
    for (const [name, def] of installed) expect(libvirtDefinitionOf(name), name).toEqual(def);
    // qemu64's cpu_map file lists abm, lahf_lm, popcnt and sse4a inside an XML comment: not part of it
    expect(libvirtDefinitionOf('qemu64')).not.toContain('lahf-lm');
    expect(libvirtDefinitionOf('Broadwell-IBRS')).toContain('spec-ctrl');
  });

  it("gives the catalog's gaps against QEMU's models for every model it defines", () => {
    const fresh = libvirtGaps(
      qemuSpelling(libvirtDefinitions(models, false)),
      (name) => resolveModel(name)?.kvmFeatures,
      new Set([...kvm.emulated, ...kvm.qemuProvided]),
    );
    for (const m of models) expect(libvirtModelGaps(m.name), m.name).toEqual(fresh[m.name] ?? []);
    expect(libvirtModelGaps('Broadwell-IBRS')).toEqual(['abm', 'arat', 'f16c', 'rdrand', 'vme', 'xsaveopt']);
    expect(libvirtModelGaps('broadwell-ibrs')).toEqual(libvirtModelGaps('Broadwell-IBRS'));
  });
});
