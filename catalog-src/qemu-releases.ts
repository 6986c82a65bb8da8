/**
 * Several QEMU snapshots (catalog-src/snapshots/qemu-X.Y.json, oldest first) merged into one view for
 * the generator: the union of names and models, each with the first snapshot release that has it.
 * Versioned models never change once released, so a model both releases define must expand the same
 * in both (test/catalog-qemu.test.ts checks the live binaries; this refuses inconsistent snapshots).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findQemu, findQemu10 } from '../src/qemu/binary.js';
import { compareVersions, majorMinor } from '../src/version.js';
import { takeSnapshot, type QemuSnapshot } from './qemu-snapshot.js';

export interface MergedSnapshots extends Omit<QemuSnapshot, 'physBits'> {
  /** Every snapshot's release ("7.2", "10.0"), oldest first */
  releases: string[];
  /** feature name -> first snapshot release that recognizes it */
  flagRelease: Record<string, string>;
  /** model name -> first snapshot release that defines it */
  modelRelease: Record<string, string>;
  /** x86 CPU property (not a feature) -> its QOM type, the first snapshot release that has it and the first that dropped it */
  cpuProperties: Record<string, { type: string; qemu: string; removed?: string }>;
  /** release -> phys-bits of a named model started without it */
  physBits: Record<string, number>;
}

export const shortVersion = (v: string) => majorMinor(v) ?? v;

const same = (a: string[] | null, b: string[] | null) => !a || !b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Re-asks the installed QEMU and QEMU 10.0 (when present) and writes their snapshots. Without hardware
 * KVM (no /dev/kvm, or a paravirtual one such as kvm_pvm: see hardwareKvmModule) a fresh snapshot has no
 * KVM answers (nor the bits KVM's warnings name): those of the snapshot it replaces are kept where TCG agrees.
 */
async function refresh(dir: string): Promise<void> {
  for (const binary of new Set([findQemu(), findQemu10()])) {
    if (!binary) continue;
    const snap = await takeSnapshot(binary);
    const file = join(dir, `qemu-${shortVersion(snap.version)}.json`);
    const before: QemuSnapshot | null = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
    for (const [name, m] of Object.entries(snap.models)) {
      const old = before?.models[name];
      if (!m.kvm && old?.kvm && same(old.tcg, m.tcg)) m.kvm = old.kvm;
    }
    // so are the bits only KVM's enforce warnings printed
    snap.bits = {
      ...snap.bits,
      ...Object.fromEntries(Object.entries(before?.bits ?? {}).filter(([n]) => !snap.bits[n])),
    };
    writeFileSync(file, JSON.stringify(snap, null, 1) + '\n');
  }
}

export async function loadSnapshots(dir: string, refreshFromQemu: boolean): Promise<QemuSnapshot[]> {
  if (refreshFromQemu || !existsSync(dir)) await refresh(dir);
  const snaps = readdirSync(dir)
    .filter((f) => /^qemu-\d+\.\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as QemuSnapshot);
  if (!snaps.length) throw new Error(`no QEMU snapshot in ${dir} (run with --refresh where QEMU is installed)`);
  return snaps.sort((a, b) => compareVersions(a.version, b.version));
}

/** One view of all snapshots; throws when a model changed between releases (a snapshot is wrong). */
export function mergeSnapshots(snaps: QemuSnapshot[]): MergedSnapshots {
  const newest = snaps[snaps.length - 1];
  const merged: MergedSnapshots = {
    version: newest.version,
    flags: [],
    aliases: {},
    definitions: [],
    models: {},
    bits: {},
    releases: snaps.map((s) => shortVersion(s.version)),
    flagRelease: {},
    modelRelease: {},
    cpuProperties: {},
    physBits: {},
  };
  const definitions = new Map<string, QemuSnapshot['definitions'][number]>();
  for (const snap of snaps) {
    const release = shortVersion(snap.version);
    for (const f of snap.flags) merged.flagRelease[f] ??= release;
    Object.assign(merged.aliases, snap.aliases);
    if (!snap.properties || snap.physBits === undefined)
      throw new Error(`QEMU ${snap.version} snapshot has no CPU properties or phys-bits (run with --refresh)`);
    merged.physBits[release] = snap.physBits;
    for (const [name, type] of Object.entries(snap.properties)) merged.cpuProperties[name] ??= { type, qemu: release };
    for (const [name, p] of Object.entries(merged.cpuProperties)) if (!(name in snap.properties)) p.removed ??= release;
    for (const [name, text] of Object.entries(snap.bits)) merged.bits[name] ??= text;
    for (const d of snap.definitions) definitions.set(d.name, d);
    for (const [name, m] of Object.entries(snap.models)) {
      const seen = merged.models[name];
      if (!seen) {
        merged.models[name] = { ...m };
        merged.modelRelease[name] = release;
        continue;
      }
      if (!same(seen.tcg, m.tcg) || !same(seen.kvm, m.kvm))
        throw new Error(`model ${name} expands differently in QEMU ${merged.modelRelease[name]} and ${release}`);
      seen.kvm ??= m.kvm;
    }
  }
  merged.flags = Object.keys(merged.flagRelease).sort();
  merged.definitions = [...definitions.values()].sort((a, b) => a.name.localeCompare(b.name));
  return merged;
}

/**
 * The first QEMU release of a name a snapshot has: the snapshot's release, or a curated earlier one that
 * falls after the previous snapshot (SapphireRapids-v1 came in 8.0: first seen here in the 10.0 snapshot).
 * A curated release outside that window contradicts QEMU's own answer and is an error in the curated file.
 */
export function firstRelease(
  name: string,
  seenIn: string,
  curated: string | undefined,
  releases: string[],
  file: string,
): string {
  if (curated === undefined) return seenIn;
  const previous = releases[releases.indexOf(seenIn) - 1];
  if (compareVersions(curated, seenIn) > 0 || (previous !== undefined && compareVersions(curated, previous) <= 0))
    throw new Error(
      `${file}: ${name} "${curated}" contradicts the snapshots (first in QEMU ${seenIn}${previous ? `, not in ${previous}` : ''})`,
    );
  return curated;
}
