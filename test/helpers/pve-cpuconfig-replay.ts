/**
 * qemu-server's CPUConfig.pm replayed for a custom model, written from its source per release (not
 * from this project's own Proxmox code, which the tests check against it). Line numbers are of
 * PVE/QemuServer/CPUConfig.pm on stable-7 a103a32 (7.4-7), src/PVE/QemuServer/CPUConfig.pm on
 * stable-bookworm 5ccd363 (8.4.10) and on master e6352be (9.2.6), in that order.
 */
export type Release = '7.4' | '8' | '9';

// reported-model enum: keys of $cpu_vendor_list (7.4 l.40-100, enum l.134; 8 l.80-162, enum l.198;
// 9: pve-qemu's cpu-models-x86_64.json or the built-in list l.133-245, enum l.309). Written out again here.
const V74 = `486 pentium pentium2 pentium3 coreduo core2duo Conroe Penryn Nehalem Nehalem-IBRS Westmere Westmere-IBRS
SandyBridge SandyBridge-IBRS IvyBridge IvyBridge-IBRS Haswell Haswell-IBRS Haswell-noTSX Haswell-noTSX-IBRS Broadwell
Broadwell-IBRS Broadwell-noTSX Broadwell-noTSX-IBRS Skylake-Client Skylake-Client-IBRS Skylake-Client-noTSX-IBRS
Skylake-Server Skylake-Server-IBRS Skylake-Server-noTSX-IBRS Cascadelake-Server Cascadelake-Server-noTSX KnightsMill
Icelake-Client Icelake-Client-noTSX Icelake-Server Icelake-Server-noTSX athlon phenom Opteron_G1 Opteron_G2 Opteron_G3
Opteron_G4 Opteron_G5 EPYC EPYC-IBPB EPYC-Rome EPYC-Milan host kvm32 kvm64 qemu32 qemu64 max`;
const V8 = `${V74} Skylake-Client-v4 Skylake-Server-v4 Skylake-Server-v5 Cascadelake-Server-v2 Cascadelake-Server-v4
Cascadelake-Server-v5 Cooperlake Cooperlake-v2 Icelake-Server-v3 Icelake-Server-v4 Icelake-Server-v5 Icelake-Server-v6
SapphireRapids SapphireRapids-v2 GraniteRapids EPYC-v3 EPYC-v4 EPYC-Rome-v2 EPYC-Rome-v3 EPYC-Rome-v4 EPYC-Milan-v2
EPYC-Genoa`;
const V9 = `${V8} Icelake-Server-v7 SapphireRapids-v3 SapphireRapids-v4 GraniteRapids-v2 GraniteRapids-v3 SierraForest
SierraForest-v2 SierraForest-v3 ClearwaterForest EPYC-v5 EPYC-Rome-v5 EPYC-Milan-v3 EPYC-Genoa-v2 EPYC-Turin`;
const ENUM: Record<Release, Set<string>> = {
  '7.4': new Set(V74.split(/\s+/)),
  '8': new Set(V8.split(/\s+/)),
  '9': new Set(V9.split(/\s+/)),
};
const GENERIC = new Set(['host', 'kvm32', 'kvm64', 'qemu32', 'qemu64', 'max']); // vendor 'default'

// $cpu_flag_any_re (7.4 l.117, 8 l.179, 9 CPUFlags.pm cpu_flag_any_re l.165): ([+-])([a-zA-Z0-9\-_\.]+)
const FLAG = /^([+-])([a-zA-Z0-9\-_.]+)$/;
// $depreacated_cpu_map (7.4 l.33-38): Icelake-Client* run as Icelake-Server*
const DEPRECATED: Record<string, string> = {
  'Icelake-Client': 'Icelake-Server',
  'Icelake-Client-noTSX': 'Icelake-Server-noTSX',
};

export interface Section {
  name: string;
  props: Map<string, string>;
}

/** One `cpu-model: NAME` section of cpu-models.conf (tab-indented `key value` lines). */
export function parseSection(text: string): Section {
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const head = /^cpu-model:\s*(\S+)\s*$/.exec(lines[0]);
  if (!head) throw new Error(`no section header in ${JSON.stringify(lines[0])}`);
  const props = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const m = /^\t(\S+)\s+(.*)$/.exec(l);
    if (!m) break;
    props.set(m[1], m[2]);
  }
  return { name: head[1], props };
}

/** get_cpu_options for `cpu: custom-NAME` under KVM on x86_64 (7.4 l.461-551, 8 l.594-697, 9 l.864-1000). */
export function pveCpuArg(release: Release, section: Section, vmCpuLine: string): string {
  const cputype = /^cpu:\s*(\S+)\s*$/m.exec(vmCpuLine)?.[1];
  if (!cputype?.startsWith('custom-')) throw new Error('not a custom model'); // is_custom_model: ^custom-
  if (cputype.slice('custom-'.length) !== section.name) throw new Error(`Custom cputype '${cputype}' not found`);
  // pve-configid for the section id (pve-common JSONSchema.pm $CONFIGID_RE, /i)
  if (!/^[a-z][a-z0-9_-]+$/i.test(section.name)) throw new Error(`invalid configuration ID '${section.name}'`);
  let reported = section.props.get('reported-model') ?? 'kvm64'; // default (7.4 l.135)
  if (!ENUM[release].has(reported))
    throw new Error(`reported-model: value '${reported}' does not have a value in the enumeration`);
  reported = DEPRECATED[reported] ?? reported;
  const flags = new Map<string, string>();
  // get_pve_cpu_flags (7.4 l.556-595): lahf_lm on kvm64, sep on kvm64/kvm32, -rdtscp on Opteron*, PV bits on KVM
  if (reported === 'kvm64') flags.set('lahf_lm', '+');
  if (reported === 'kvm64' || reported === 'kvm32') flags.set('sep', '+');
  if (/^Opteron/.test(reported)) flags.set('rdtscp', '-');
  flags.set('kvm_pv_unhalt', '+');
  flags.set('kvm_pv_eoi', '+');
  // custom model flags: parse_cpuflag_list with $cpu_flag_any_re; a later hash overrides by flag name (resolve_cpu_flags)
  for (const f of (section.props.get('flags') ?? '').split(';').filter(Boolean)) {
    const m = FLAG.exec(f);
    if (!m) throw new Error(`flags: value does not match the regex pattern (${f})`);
    flags.set(m[2], m[1]);
  }
  let arg = reported;
  const forced = new Map<string, string>([['enforce', '']]); // 7.4 l.514: enforce under KVM, not for host
  if (!GENERIC.has(reported)) forced.set('vendor', '='); // 7.4 l.524-531: vendor of a named model
  for (const name of [...flags.keys(), ...forced.keys()].sort()) {
    if (forced.has(name)) arg += name === 'vendor' ? `,vendor=${vendorOf(reported)}` : `,${name}`;
    else arg += `,${flags.get(name)}${name}`;
  }
  const bits = section.props.get('phys-bits');
  if (bits) {
    if (!/^(host|\d+)$/.test(bits) || (bits !== 'host' && (Number(bits) < 8 || Number(bits) > 64)))
      throw new Error(`phys-bits: invalid format ${bits}`); // pve-phys-bits 8-64|host (7.4 l.173)
    arg += bits === 'host' ? ',host-phys-bits=true' : `,phys-bits=${bits}`; // 7.4 l.540-550
  }
  return arg;
}

function vendorOf(model: string): string {
  return /^(athlon|phenom|Opteron|EPYC)/.test(model) ? 'AuthenticAMD' : 'GenuineIntel';
}
