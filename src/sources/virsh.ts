/**
 * libvirt XML: `virsh capabilities` (the host CPU as libvirt reads it from CPUID: approximate,
 * KVM's view is applied like for cpuinfo) and `virsh domcapabilities` (the host-model CPU that
 * QEMU+KVM offer a guest: exact).
 */
import { resolveModel } from '../catalog/index.js';
import { featureFromLibvirt, libvirtModelGaps } from '../catalog/libvirt.js';
import { InputError } from '../errors.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import type { HostProfile } from '../profile/host-profile.js';
import { applyKvmRules, linuxHintsFromBits } from './guest-view.js';
import type { Reader } from './reader.js';
import { attr, child, children, parseXmlSafely, text } from './xml-safe.js';

function translate(names: string[], unknown: string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const f = featureFromLibvirt(n);
    if (f) out.push(f);
    else unknown.push(n);
  }
  return out;
}

/** XML whose root is `root`; a DOCTYPE before it still counts, so that it gets refused by name. */
export function looksLikeXmlWith(t: string, root: string): boolean {
  return /^\s*</.test(t) && new RegExp(`<${root}[\\s/>]`).test(t.slice(0, 1 << 16));
}

const intOrNull = (s: string | null) => (s !== null && /^\d+$/.test(s) ? Number(s) : null);

// ---- virsh capabilities ----

const CAPS_EXPECTED = '`virsh capabilities` XML with a <host><cpu> element';

function readCapabilities(xml: string, where: string, name: string): HostProfile {
  const doc = child(parseXmlSafely(xml, where, 'capabilities', CAPS_EXPECTED), 'capabilities');
  const cpu = child(child(doc, 'host'), 'cpu');
  if (!cpu) throw new InputError(where, `no <host><cpu> element; expected ${CAPS_EXPECTED}`);
  const arch = text(child(cpu, 'arch'));
  if (arch !== 'x86_64')
    throw new InputError(
      where,
      `host CPU architecture is ${arch ?? 'missing'}; expected an x86_64 host's ${CAPS_EXPECTED}`,
    );
  const modelName = text(child(cpu, 'model'));
  const vendorText = text(child(cpu, 'vendor'));
  if (!modelName || !vendorText)
    throw new InputError(where, `host CPU has no <model> or <vendor> (not a KVM host?); expected ${CAPS_EXPECTED}`);
  const notes: string[] = [];
  const unknown: string[] = [];
  const model = resolveModel(modelName);
  // libvirt lists the host's bits on top of its own definition of the model; QEMU's definition of the
  // same model stands in for libvirt's (they differ slightly: see notes/peers.md §1.3)
  const gaps = new Set(libvirtModelGaps(modelName));
  const base = model ? model.features.filter((f) => !gaps.has(f)) : [];
  if (!model) notes.push(`libvirt model "${modelName}" is not in the catalog; only the listed features are used`);
  const listed = translate(
    children(cpu, 'feature').map((f) => attr(f, 'name') ?? ''),
    unknown,
  );
  if (unknown.length) notes.push(`features the catalog does not know: ${unknown.join(' ')}`);
  const vendor = normalizeVendor(vendorText);
  const sig = child(cpu, 'signature');
  const family = intOrNull(attr(sig, 'family'));
  const host = new Set([...base, ...listed]);
  const view = applyKvmRules({ vendor, features: host, hints: linuxHintsFromBits(vendor, host, family) });
  const micro = intOrNull(attr(child(cpu, 'microcode'), 'version'));
  return newProfile({
    name,
    vendor,
    family,
    model: intOrNull(attr(sig, 'model')),
    stepping: intOrNull(attr(sig, 'stepping')),
    microcode: micro === null ? null : `0x${micro.toString(16)}`,
    features: view.features,
    exact: false,
    source: 'virsh-capabilities',
    physBits: intOrNull(attr(child(cpu, 'maxphysaddr'), 'bits')),
    notes: [
      ...notes,
      ...view.notes,
      'derived from libvirt capabilities (the host CPU, not what KVM offers): approximate',
    ],
  });
}

export const virshCapabilitiesReader: Reader = {
  format: 'virsh-capabilities',
  describe: 'libvirt `virsh capabilities` XML',
  detect: (t) => looksLikeXmlWith(t, 'capabilities'),
  read: (t, where, name) => [readCapabilities(t, where, name)],
};

// ---- virsh domcapabilities ----

const DOMCAPS_EXPECTED = '`virsh domcapabilities --virttype kvm` XML';

function readDomcaps(xml: string, where: string, name: string): HostProfile {
  const doc = child(parseXmlSafely(xml, where, 'domainCapabilities', DOMCAPS_EXPECTED), 'domainCapabilities');
  if (!doc) throw new InputError(where, `no <domainCapabilities> element; expected ${DOMCAPS_EXPECTED}`);
  const domain = text(child(doc, 'domain'));
  if (domain !== 'kvm')
    throw new InputError(where, `domain type is ${domain ?? 'missing'}; expected ${DOMCAPS_EXPECTED}`);
  const modes = children(child(doc, 'cpu'), 'mode');
  const hostModel = modes.find((m) => attr(m, 'name') === 'host-model');
  if (!hostModel || attr(hostModel, 'supported') !== 'yes')
    throw new InputError(where, `no supported <mode name='host-model'> CPU; expected ${DOMCAPS_EXPECTED}`);
  const modelName = text(child(hostModel, 'model'));
  const model = modelName ? resolveModel(modelName) : undefined;
  if (!model)
    throw new InputError(
      where,
      `host-model CPU model "${modelName ?? ''}" is not a known QEMU model; expected ${DOMCAPS_EXPECTED}`,
    );
  const notes: string[] = [];
  const unknown: string[] = [];
  const policy = (p: string) =>
    translate(
      children(hostModel, 'feature')
        .filter((f) => attr(f, 'policy') === p)
        .map((f) => attr(f, 'name') ?? ''),
      unknown,
    );
  const gaps = new Set(libvirtModelGaps(modelName!));
  const features = new Set(model.kvmFeatures.filter((f) => !gaps.has(f)));
  for (const f of policy('require')) features.add(f);
  for (const f of policy('disable')) features.delete(f);
  if (unknown.length) notes.push(`features the catalog does not know: ${[...new Set(unknown)].join(' ')}`);
  notes.push(
    `host-model is libvirt's ${modelName} plus/minus features; QEMU's ${model.name} stands in for libvirt's definition, less what libvirt's lacks`,
  );

  const profile = newProfile({
    name,
    vendor: normalizeVendor(text(child(hostModel, 'vendor')) ?? ''),
    features: [...features],
    exact: true,
    source: 'virsh-domcapabilities',
    physBits: intOrNull(attr(child(hostModel, 'maxphysaddr'), 'limit')),
    qemu: /^pc-(?:i440fx|q35)-(\d+\.\d+)$/.exec(text(child(doc, 'machine')) ?? '')?.[1] ?? null,
    notes,
  });
  const custom = modes.find((m) => attr(m, 'name') === 'custom');
  if (custom) {
    const canon = (n: string) => resolveModel(n)?.name ?? n;
    const blockers = new Map(
      children(custom, 'blockers').map((b) => [
        attr(b, 'model') ?? '',
        children(b, 'feature').map((f) => attr(f, 'name') ?? ''),
      ]),
    );
    const unavailable: Record<string, string[]> = {};
    const runnable: string[] = [];
    let unexplained = 0;
    for (const m of children(custom, 'model')) {
      const n = text(m);
      if (!n) continue;
      const usable = attr(m, 'usable');
      if (usable === 'yes') {
        runnable.push(canon(n));
        unavailable[canon(n)] = [];
      } else if (usable === 'no' && blockers.has(n)) unavailable[canon(n)] = translate(blockers.get(n)!, []);
      else if (usable === 'no') unexplained++;
    }
    profile.runnableModels = [...new Set(runnable)].sort();
    profile.unavailable = unavailable;
    if (unexplained)
      notes.push(`${unexplained} model(s) unusable without blockers listed (older libvirt does not print <blockers>)`);
  }
  return profile;
}

export const virshDomcapsReader: Reader = {
  format: 'virsh-domcapabilities',
  describe: 'libvirt `virsh domcapabilities` XML (virttype kvm)',
  detect: (t) => looksLikeXmlWith(t, 'domainCapabilities'),
  read: (t, where, name) => [readDomcaps(t, where, name)],
};
