/** `lscpu` output, plain or `lscpu -J`: Linux flag names like cpuinfo, so approximate (exact:false). */
import { virtualHost } from './host-kind.js';
import { InputError } from '../errors.js';
import { newProfile, normalizeVendor } from '../profile/build.js';
import type { HostProfile } from '../profile/host-profile.js';
import { guestViewFromLinux } from './guest-view.js';
import { looksLikeJson, parseJsonDocuments } from './json-docs.js';
import type { Reader } from './reader.js';

const EXPECTED = 'lscpu output (run with LC_ALL=C) with "Vendor ID:" and "Flags:" lines, or `lscpu -J`';

/** Field name (without the colon) -> value, from the plain text form. */
function fieldsFromText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0 || i > 80) continue; // field names are short; anything else is not a field line
    const key = line.slice(0, i).trim();
    if (key && !out.has(key)) out.set(key, line.slice(i + 1).trim());
  }
  return out;
}

type JsonField = { field?: unknown; data?: unknown; children?: unknown };

/** `lscpu -J`: {"lscpu":[{"field":"Flags:","data":"..."}]}, newer util-linux nests "children". */
function fieldsFromJson(text: string, where: string): Map<string, string> {
  const [doc] = parseJsonDocuments(text, where);
  const list = (doc as { lscpu?: unknown } | null)?.lscpu;
  if (!Array.isArray(list)) throw new InputError(where, `no "lscpu" array; expected ${EXPECTED}`);
  const out = new Map<string, string>();
  const walk = (items: unknown[], depth: number) => {
    if (depth > 8) return; // lscpu nests two levels; deeper is not lscpu
    for (const it of items as JsonField[]) {
      if (!it || typeof it !== 'object') continue;
      if (typeof it.field === 'string' && (typeof it.data === 'string' || it.data === null)) {
        const key = it.field.replace(/:\s*$/, '').trim();
        if (key && !out.has(key)) out.set(key, (it.data ?? '').trim());
      }
      if (Array.isArray(it.children)) walk(it.children, depth + 1);
    }
  };
  walk(list, 0);
  return out;
}

/** The kernel's bug names from lscpu's "Vulnerability X:" lines, when all the ones KVM's view uses are there. */
function bugsFromVulnerabilities(fields: Map<string, string>): {
  bugs: string[] | null;
  mitigations: Record<string, string>;
} {
  const mitigations: Record<string, string> = {};
  for (const [k, v] of fields) {
    const m = /^Vulnerability (.+)$/.exec(k);
    if (m) mitigations[m[1].toLowerCase().replace(/\s+/g, '_')] = v;
  }
  // sysfs file -> cpuinfo bug name, for the bugs guest-view.ts looks at
  const needed: Record<string, string> = {
    meltdown: 'meltdown',
    mds: 'mds',
    spec_store_bypass: 'spec_store_bypass',
    tsx_async_abort: 'taa',
  };
  if (!Object.keys(needed).every((k) => k in mitigations)) return { bugs: null, mitigations };
  const bugs = Object.entries(needed)
    .filter(([k]) => !/^Not affected/i.test(mitigations[k]))
    .map(([, b]) => b);
  return { bugs, mitigations };
}

const FLAG_RE = /^[a-z0-9_.]+$/;

function readLscpu(text: string, where: string, name: string): HostProfile {
  const fields = looksLikeJson(text) ? fieldsFromJson(text, where) : fieldsFromText(text);
  const flagsLine = fields.get('Flags');
  if (flagsLine === undefined) throw new InputError(where, `no "Flags:" field; expected ${EXPECTED}`);
  const vendorText = fields.get('Vendor ID');
  if (!vendorText) throw new InputError(where, `no "Vendor ID:" field; expected ${EXPECTED}`);
  const all = flagsLine.split(/\s+/).filter(Boolean);
  const flags = all.filter((f) => FLAG_RE.test(f));
  if (!flags.length) throw new InputError(where, `empty "Flags:" field; expected ${EXPECTED}`);
  const notes: string[] = [];
  if (flags.length < all.length)
    notes.push(
      `ignored malformed flag(s) ${all
        .filter((f) => !FLAG_RE.test(f))
        .slice(0, 5)
        .join(' ')}`,
    );
  const vendor = normalizeVendor(vendorText);
  const { bugs, mitigations } = bugsFromVulnerabilities(fields);
  const view = guestViewFromLinux({ vendor, flags, bugs });
  if (view.unknown.length) notes.push(`flags the catalog does not know: ${view.unknown.join(' ')}`);
  const num = (k: string) => (/^\d+$/.test(fields.get(k) ?? '') ? Number(fields.get(k)) : null);
  const bits = /(\d+) bits physical/.exec((fields.get('Address sizes') ?? '').slice(0, 100)); // bounded: \d+ backtracks
  const physBits = bits && Number(bits[1]) >= 32 && Number(bits[1]) <= 64 ? Number(bits[1]) : null;
  // lscpu reads CPUID leaf 0x40000000 itself: "Hypervisor vendor: KVM" on a VM (host-kind.ts)
  const guest = virtualHost(flags, { hypervisorVendor: fields.get('Hypervisor vendor') || null });
  return newProfile({
    ...(guest.virtual ? { hostKind: guest } : {}),
    name,
    vendor,
    family: num('CPU family'),
    model: num('Model'),
    stepping: num('Stepping'),
    modelName: fields.get('Model name') || null,
    features: view.features,
    exact: false,
    source: 'lscpu',
    physBits,
    ...(Object.keys(mitigations).length ? { mitigations } : {}),
    notes: [
      ...notes,
      ...view.notes,
      'derived from lscpu (Linux flag names): approximate (KVM may offer a little more or less)',
      ...(guest.virtual
        ? [
            'this host is itself a virtual machine: its lscpu cannot tell what its own KVM offers; run `migratable probe` there',
          ]
        : []),
    ],
  });
}

export const lscpuReader: Reader = {
  format: 'lscpu',
  describe: '`lscpu` output (plain, LC_ALL=C) or `lscpu -J`',
  detect: (text) =>
    looksLikeJson(text)
      ? /^\s*\{\s*"lscpu"\s*:/.test(text)
      : // the plain search first spares other inputs (a 7 MB cpuinfo paste) a line-by-line regex
        text.includes('Architecture:') && /^Architecture:\s/m.test(text) && /^(Vendor ID|Flags):\s/m.test(text),
  read: (text, where, name) => [readLscpu(text, where, name)],
};
