/**
 * libvirt's QEMU capabilities cache (/var/cache/libvirt/qemu/capabilities/*.xml): what libvirt asked
 * QEMU on that host and keeps. `<hostCPU type='kvm'>` is QEMU's static expansion of model "host"
 * under KVM (model "base" with every property; migratable='no' marks bits only a non-migratable
 * guest gets), and `<cpu type='kvm' usable=...>` with `<blocker name=...>` is its
 * query-cpu-definitions. Both are QEMU's own answers: the profile is exact.
 * Format: libvirt 9.0.0 src/qemu/qemu_capabilities.c: virQEMUCapsProbeQMPHostCPU (l. 3104, static
 * expansion of "host", then a non-migratable one for migratable='no'), virQEMUCapsFormatHostCPUModelInfo
 * (l. 4784), virQEMUCapsFormatCPUModels (l. 4838: blockers in QEMU spelling), virQEMUCapsFormatCache
 * (l. 5040: <version> is major*1000000+minor*1000+micro; <kernelVersion> is "release version").
 * Checked against libvirt's tests/qemucapabilitiesdata/caps_*.x86_64.xml (two are our fixtures).
 */
import { resolveFeature, resolveModel } from '../catalog/index.js';
import { InputError } from '../errors.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import type { HostProfile } from '../profile/host-profile.js';
import type { Reader } from './reader.js';
import { looksLikeXmlWith } from './virsh.js';
import { attr, child, children, parseXmlSafely, text, type XmlNode } from './xml-safe.js';

const EXPECTED = "libvirt's QEMU capabilities cache of a KVM host (/var/cache/libvirt/qemu/capabilities/*.xml)";

/** 7002022 -> "7.2.22" */
function qemuVersion(v: string | null): string | null {
  if (!v || !/^\d{1,10}$/.test(v) || Number(v) === 0) return null;
  const n = Number(v);
  return `${Math.floor(n / 1e6)}.${Math.floor(n / 1e3) % 1000}.${n % 1000}`;
}

interface HostCpu {
  features: string[];
  notMigratable: string[];
  unknown: string[];
  strings: Map<string, string>;
  numbers: Map<string, number>;
}

function readHostCpu(node: XmlNode): HostCpu {
  const out: HostCpu = { features: [], notMigratable: [], unknown: [], strings: new Map(), numbers: new Map() };
  for (const p of children(node, 'property')) {
    const name = attr(p, 'name') ?? '';
    const value = attr(p, 'value');
    const type = attr(p, 'type');
    if (type === 'string' && value !== null) out.strings.set(name, value);
    else if (type === 'number' && value !== null && /^\d{1,12}$/.test(value)) out.numbers.set(name, Number(value));
    else if (type === 'boolean' && value === 'true') {
      const f = resolveFeature(name);
      if (!f) out.unknown.push(name);
      else {
        out.features.push(f.name);
        if (attr(p, 'migratable') === 'no') out.notMigratable.push(f.name);
      }
    }
  }
  return out;
}

/** Runnable models and each model's blockers, from `<cpu type='kvm'>` (QEMU names, aliases folded). */
function readModels(root: XmlNode): { runnable: string[]; unavailable: Record<string, string[]> } | null {
  const cpus = children(root, 'cpu').filter((c) => attr(c, 'type') === 'kvm');
  if (!cpus.length) return null;
  const runnable = new Set<string>();
  const unavailable: Record<string, string[]> = {};
  for (const c of cpus) {
    const model = resolveModel(attr(c, 'name') ?? '');
    if (!model || attr(c, 'usable') === null) continue; // host, max, base and models the catalog lacks
    const blockers = children(c, 'blocker').map((b) => {
      const n = attr(b, 'name') ?? '';
      return resolveFeature(n)?.name ?? n;
    });
    if (attr(c, 'usable') === 'yes') runnable.add(model.name);
    unavailable[model.name] = [...new Set(blockers)].sort();
  }
  return { runnable: [...runnable].sort(), unavailable };
}

function readQemuCaps(xml: string, where: string, name: string): HostProfile {
  const root = child(parseXmlSafely(xml, where, 'qemuCaps', EXPECTED), 'qemuCaps');
  if (!root) throw new InputError(where, `no <qemuCaps> element; expected ${EXPECTED}`);
  const arch = text(child(root, 'arch'));
  if (arch !== 'x86_64')
    throw new InputError(where, `QEMU architecture is ${arch ?? 'missing'}; expected an x86_64 host's ${EXPECTED}`);
  const hostNode = children(root, 'hostCPU').find((h) => attr(h, 'type') === 'kvm');
  if (!hostNode)
    throw new InputError(
      where,
      `no <hostCPU type='kvm'>: libvirt found no usable KVM there (TCG only); expected ${EXPECTED}`,
    );
  const host = readHostCpu(hostNode);
  const notes = [
    `QEMU's static expansion of model host under KVM, as libvirt cached it (<hostCPU model='${attr(hostNode, 'model') ?? '?'}'>)`,
  ];
  if (host.notMigratable.length)
    notes.push(`offered only to non-migratable guests: ${[...new Set(host.notMigratable)].join(' ')}`);
  if (host.unknown.length) notes.push(`properties the catalog does not know: ${host.unknown.join(' ')}`);
  const micro = text(child(root, 'microcodeVersion'));
  const profile = newProfile({
    name,
    vendor: normalizeVendor(host.strings.get('vendor') ?? ''),
    family: host.numbers.get('family') ?? null,
    model: host.numbers.get('model') ?? null,
    stepping: host.numbers.get('stepping') ?? null,
    modelName: host.strings.get('model-id')?.trim() || null,
    microcode: micro && /^\d{1,10}$/.test(micro) && micro !== '0' ? `0x${Number(micro).toString(16)}` : null,
    features: host.features,
    exact: true,
    source: 'libvirt-qemu-caps',
    kernel: text(child(root, 'kernelVersion'))?.split(/\s+/)[0] || null,
    qemu: qemuVersion(text(child(root, 'version'))),
    notes,
  });
  const models = readModels(root);
  if (models) {
    profile.runnableModels = models.runnable;
    profile.unavailable = models.unavailable;
  } else notes.push("no <cpu type='kvm'> model list: runnable models are worked out from the features");
  return profile;
}

export const libvirtQemuCapsReader: Reader = {
  format: 'libvirt-qemu-caps',
  describe: "libvirt's QEMU capabilities cache XML (/var/cache/libvirt/qemu/capabilities/*.xml)",
  detect: (t) => looksLikeXmlWith(t, 'qemuCaps'),
  read: (t, where, name) => [readQemuCaps(t, where, name)],
};
