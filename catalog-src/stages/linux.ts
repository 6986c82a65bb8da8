/**
 * Stage Linux/KVM: the /proc/cpuinfo names (the reference's cpufeatures.h table, joined on the CPUID
 * bit, never on the spelling), which releases print them (each release's cpufeatures.h, see
 * linux-cpuinfo.ts) and the flags Linux sets itself (catalog-src/linux-implied.json, cited per entry), what KVM offers per kernel release (linux-kvm/, see kvm-offer/), and
 * the KVM facts the kernel sources do not say (catalog-src/kvm.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuidBit, Feature, LinuxFlag, LinuxSyntheticData } from '../../src/catalog/types.js';
import { curated, facts, CATALOG_SRC } from '../curated.js';
import type { FeatureSet } from '../features.js';
import { buildKvmOffer, kvmTreatment, summarize, type KvmOfferData } from '../kvm-offer/build.js';
import { readLinuxTable } from '../linux-table.js';
import { annotateLinuxFlags, cpuinfoHistory, type LinuxImplied } from '../linux-cpuinfo.js';
import { compareVersions } from '../../src/version.js';

function sameBit(a: CpuidBit, leaf: number, subleaf: number | null, register: string, bit: number): boolean {
  return a.leaf === leaf && (a.subleaf ?? 0) === (subleaf ?? 0) && a.register === register && a.bit === bit;
}

/** Linux's flag names, each joined to the catalog feature of the same CPUID bit (which gets its name). */
export function linuxStage(reference: string, { features, byName }: FeatureSet): LinuxFlag[] {
  const linuxFlags: LinuxFlag[] = [];
  for (const row of readLinuxTable(join(reference, 'linux-cpufeatures.tsv'))) {
    if (!row.cpuinfo) continue;
    const hit = row.cpuid
      ? features.find(
          (f) => f.cpuid && sameBit(f.cpuid, row.cpuid!.leaf, row.cpuid!.subleaf, row.cpuid!.register, row.bit),
        )
      : undefined;
    const spelled = byName.get(row.cpuinfo) ?? byName.get(row.cpuinfo.replace(/_/g, '-'));
    if (hit) {
      hit.linux = row.cpuinfo;
      if (!hit.description) hit.description = row.description;
    }
    linuxFlags.push({
      name: row.cpuinfo,
      kind: hit ? 'cpuid' : row.cpuid ? 'unknown-bit' : 'synthetic',
      feature: hit?.name ?? null,
      falseFriend: !hit && spelled ? spelled.name : null,
      description: row.description,
    });
  }
  for (const extra of curated<{ flags: LinuxFlag[] }>('linux-extra.json').flags) {
    if (linuxFlags.some((l) => l.name === extra.name)) continue;
    if (extra.feature && !byName.has(extra.feature))
      throw new Error(`linux-extra.json: ${extra.name} names unknown feature ${extra.feature}`);
    linuxFlags.push(extra);
    const f = extra.feature ? byName.get(extra.feature)! : undefined;
    if (f && !f.linux && extra.name.replace(/_/g, '-') === f.name) f.linux = extra.name;
  }
  annotateLinuxFlags(
    linuxFlags,
    cpuinfoHistory(releaseHeaders(reference)),
    curated<LinuxImplied>('linux-implied.json'),
  );
  return linuxFlags.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every linux-kvm/linux-X.Y/ release's cpufeatures.h, oldest first. */
function releaseHeaders(reference: string): Array<{ release: string; cpufeatures: string }> {
  const dir = join(reference, 'linux-kvm');
  return readdirSync(dir)
    .filter((d) => /^linux-\d+\.\d+$/.test(d))
    .map((d) => d.slice(6))
    .sort(compareVersions)
    .map((release) => ({
      release,
      cpufeatures: readFileSync(join(dir, `linux-${release}`, 'arch/x86/include/asm/cpufeatures.h'), 'utf8'),
    }));
}

/** catalog-src/kvm.json: QEMU's KVM defaults and the KVM facts cpuid.c does not say. */
export interface KvmFacts {
  accelDefaultsOn: string[];
  accelDefaultsOff: string[];
  emulated: string[];
  qemuProvided: string[];
  [key: string]: unknown;
}

/** KVM_CPUID_FEATURES (0x40000001) EAX bit -> the hypercall a guest that sees it makes (catalog-src/kvm-hypercalls.json). */
export function kvmHypercalls(): Map<number, string> {
  const file = curated<{ eax: Array<{ bit: number; hypercall: string }> }>('kvm-hypercalls.json');
  return new Map(file.eax.map((e) => [e.bit, e.hypercall]));
}

export interface KvmSlice {
  offer: KvmOfferData;
  /** One line per kernel release, for the generator's output */
  summary: string;
  facts: KvmFacts;
}

/** What KVM offers per release and vendor (needs each feature's CPUID bit and vendor); sets `kvm` on each feature. */
export function kvmStage(reference: string, features: Feature[]): KvmSlice {
  const built = buildKvmOffer(join(reference, 'linux-kvm'), features, join(CATALOG_SRC, 'kvm-offer/curated.json'));
  for (const f of features) f.kvm = kvmTreatment(f, built.data);
  return { offer: built.data, summary: summarize(built), facts: facts(curated<KvmFacts>('kvm.json')) };
}

/**
 * data/linux-synthetic.json from catalog-src/linux-synthetic.json (its $comment cites the kernel files):
 * every name must be a Linux flag or a catalog feature the generator knows.
 */
export function linuxSyntheticStage(
  table: Omit<LinuxSyntheticData, '$comment'>,
  isFlag: (name: string) => boolean,
  isFeature: (name: string) => boolean,
): LinuxSyntheticData {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`linux-synthetic.json: unknown ${what}`);
  };
  for (const r of table.fromBits) {
    check(isFlag(r.flag), `flag ${r.flag}`);
    for (const f of r.anyOf) check(isFeature(f), `feature ${f}`);
  }
  for (const r of table.toBits) {
    check(isFeature(r.feature), `feature ${r.feature}`);
    for (const f of r.allOf) check(isFlag(f), `flag ${f}`);
  }
  return {
    $comment:
      'Generated by catalog-src/stages/linux.ts from catalog-src/linux-synthetic.json (Linux arch/x86/kernel/cpu common.c init_speculation_control, amd.c/hygon.c LS_CFG SSBD, cpufeatures.h; see its $comment); do not edit. fromBits: synthetic flags Linux sets from raw bits; toBits: raw bits Linux shows only as synthetic flags.',
    fromBits: table.fromBits,
    toBits: table.toBits,
  };
}
