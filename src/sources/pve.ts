/**
 * Proxmox VE API JSON (notes/proxmox.md §5.1, §5.4):
 * - `/nodes/{node}/status`: cpuinfo.flags are Linux names (approximate, like cpuinfo). The body has
 *   no node name, so `{"node": "pve1", "data": {...}}` and arrays of those are accepted too.
 * - `/cluster/qemu/cpu-flags` (PVE 9.2+): per flag the nodes whose QEMU/KVM offer it: one exact
 *   profile per node.
 */
import { resolveFeature } from '../catalog/index.js';
import { PVE_NESTED_VIRT_FLAG } from '../catalog/proxmox.js';
import { errorLine, InputError } from '../errors.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import type { HostProfile } from '../profile/host-profile.js';
import { guestViewFromLinux } from './guest-view.js';
import { looksLikeJson, parseJsonDocuments } from './json-docs.js';
import type { Reader } from './reader.js';
import { HYPERV_VMX_ONLY, canonicalHypervFlag, isHypervFlag } from '../formats/hyperv.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** The API body, raw or as the API wraps it ({"data": ...}). */
const unwrapData = (d: unknown): unknown => (isObj(d) && 'data' in d ? d.data : d);

// ---- /nodes/{node}/status ----

const STATUS_EXPECTED =
  'Proxmox /nodes/{node}/status JSON (its "data" object, optionally as {"node": NAME, "data": ...} or an array of those)';

function statusProfile(body: Obj, where: string, name: string): HostProfile {
  const ci = body.cpuinfo;
  if (!isObj(ci) || typeof ci.flags !== 'string')
    throw new InputError(where, `node "${name}": no cpuinfo.flags; expected ${STATUS_EXPECTED}`);
  const flags = ci.flags.split(/\s+/).filter((f) => /^[a-z0-9_.]+$/.test(f));
  if (!flags.length) throw new InputError(where, `node "${name}": empty cpuinfo.flags; expected ${STATUS_EXPECTED}`);
  const notes: string[] = [];
  const model = str(ci.model);
  // PVE 9.1.15+ reports the vendor; before that the model name or the virtualization flag tells
  let vendor = normalizeVendor(str(ci.vendor) ?? '');
  if (vendor === 'unknown') vendor = normalizeVendor(model ?? '');
  if (vendor === 'unknown' && flags.includes('vmx')) vendor = 'GenuineIntel';
  if (vendor === 'unknown' && flags.includes('svm')) vendor = 'AuthenticAMD';
  if (!str(ci.vendor))
    notes.push(`vendor ${vendor} inferred from the model name or vmx/svm (PVE before 9.1.15 does not report it)`);
  const ck = isObj(body['current-kernel']) ? str(body['current-kernel'].release) : null;
  const kernel = ck ?? /^Linux (\S+)/.exec(str(body.kversion) ?? '')?.[1] ?? null;
  const view = guestViewFromLinux({ vendor, flags, kernel });
  if (view.unknown.length) notes.push(`flags the catalog does not know: ${view.unknown.join(' ')}`);
  const pve = str(body.pveversion);
  if (pve) notes.push(`Proxmox ${pve}`);
  const family = str(ci.family);
  return newProfile({
    name,
    vendor,
    family: family && /^\d+$/.test(family) ? Number(family) : null,
    modelName: model,
    features: view.features,
    exact: false,
    source: 'pve-node-status',
    kernel,
    notes: [...notes, ...view.notes, 'derived from Proxmox node status (Linux flag names): approximate'],
  });
}

function readNodeStatus(text: string, where: string, name: string): HostProfile[] {
  const docs = parseJsonDocuments(text, where);
  const items = docs.flatMap((d) => (Array.isArray(d) ? d : [d]));
  if (!items.length) throw new InputError(where, `no node status; expected ${STATUS_EXPECTED}`);
  return items.map((item, i) => {
    const node =
      isObj(item) && typeof item.node === 'string' && item.node.trim()
        ? item.node.trim()
        : items.length > 1
          ? `${name}-${i + 1}`
          : name;
    const body = unwrapData(item);
    if (body === null && isObj(item) && typeof item.message === 'string')
      throw new InputError(where, `Proxmox answered with an error: ${errorLine(item.message.trim()).slice(0, 200)}`);
    if (!isObj(body)) throw new InputError(where, `item ${i + 1} is not an object; expected ${STATUS_EXPECTED}`);
    return statusProfile(body, where, node);
  });
}

export const pveNodeStatusReader: Reader = {
  format: 'pve-node-status',
  describe: 'Proxmox /nodes/{node}/status JSON',
  detect: (text) => looksLikeJson(text) && /"cpuinfo"\s*:\s*\{/.test(text),
  read: readNodeStatus,
};

// ---- /cluster/qemu/cpu-flags ----

const FLAGS_EXPECTED =
  'Proxmox /cluster/qemu/cpu-flags JSON ([{"name": ..., "supported-on": [nodes]}], raw or as {"data": [...]})';

/** PVE's own pseudo-flag; it resolves to vmx or svm on each node, which are listed as well. */
const PVE_PSEUDO = new Set([PVE_NESTED_VIRT_FLAG]);

function readClusterFlags(text: string, where: string): HostProfile[] {
  const docs = parseJsonDocuments(text, where);
  const list = docs.length === 1 ? unwrapData(docs[0]) : undefined;
  if (!Array.isArray(list)) throw new InputError(where, `expected one array of flags; expected ${FLAGS_EXPECTED}`);
  const perNode = new Map<string, Set<string>>();
  // Hyper-V enlightenments (PVE 9.2 probes with hv-passthrough): per node, never model features
  const hyperv = new Map<string, Set<string>>();
  const unknown = new Set<string>();
  for (const [i, entry] of list.entries()) {
    if (!isObj(entry) || typeof entry.name !== 'string' || !Array.isArray(entry['supported-on']))
      throw new InputError(where, `flag ${i + 1} lacks "name" or "supported-on"; expected ${FLAGS_EXPECTED}`);
    const hv = isHypervFlag(entry.name) ? canonicalHypervFlag(entry.name) : null;
    const f = hv ? undefined : resolveFeature(entry.name);
    if (!f && !hv && !PVE_PSEUDO.has(entry.name)) unknown.add(entry.name);
    for (const node of entry['supported-on']) {
      if (typeof node !== 'string' || !node) continue;
      if (!perNode.has(node)) perNode.set(node, new Set());
      if (f) perNode.get(node)!.add(f.name);
      if (hv) (hyperv.get(node) ?? hyperv.set(node, new Set()).get(node)!).add(hv);
    }
  }
  if (!perNode.size) throw new InputError(where, `no flag is supported on any node; expected ${FLAGS_EXPECTED}`);
  return [...perNode.keys()].sort().map((node) => {
    const features = perNode.get(node)!;
    const hv = [...(hyperv.get(node) ?? [])].sort();
    // The list has no vendor; nested virtualization gives it away when enabled, and so does the
    // enlightened VMCS, which only KVM on VMX offers (formats/hyperv.ts)
    const vmxOnly = hv.filter((f) => HYPERV_VMX_ONLY.has(f));
    const vendor =
      (features.has('vmx') || vmxOnly.length) && !features.has('svm')
        ? 'GenuineIntel'
        : features.has('svm') && !features.has('vmx') && !vmxOnly.length
          ? 'AuthenticAMD'
          : 'unknown';
    const intelBy = features.has('vmx') ? 'vmx' : vmxOnly.join(', ');
    const notes = [
      vendor === 'unknown'
        ? 'vendor unknown: the cluster cpu-flags list does not say it and neither vmx nor svm is offered'
        : `vendor ${vendor} inferred from ${vendor === 'GenuineIntel' ? intelBy : 'svm'} being offered`,
    ];
    if (hv.length)
      notes.push(
        `Hyper-V enlightenments offered (QEMU hv-* properties, not CPU model features; never put in a model): ${hv.join(' ')}`,
      );
    if (unknown.size) notes.push(`flags the catalog does not know (ignored): ${[...unknown].sort().join(' ')}`);
    return newProfile({
      name: node,
      vendor,
      features: [...features],
      exact: true,
      source: 'pve-cluster-cpu-flags',
      notes,
    });
  });
}

export const pveClusterFlagsReader: Reader = {
  format: 'pve-cluster-cpu-flags',
  describe: 'Proxmox /cluster/qemu/cpu-flags JSON (PVE 9.2+)',
  detect: (text) => looksLikeJson(text) && /"supported-on"\s*:/.test(text),
  read: (text, where) => readClusterFlags(text, where),
};
