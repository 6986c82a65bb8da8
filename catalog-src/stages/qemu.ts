/**
 * Stage QEMU: what the two real QEMUs answered (catalog-src/snapshots/qemu-X.Y.json, re-asked with
 * --refresh), merged into one view with the first release of every name and model.
 */
import { join } from 'node:path';
import type { CpuidBit } from '../../src/catalog/types.js';
import { CATALOG_SRC, curated, facts } from '../curated.js';
import { loadSnapshots, mergeSnapshots, type MergedSnapshots } from '../qemu-releases.js';

/** A CPUID bit as the curated files write it ("0x80000007", "edx", 8). */
export interface BitRef {
  leaf: string;
  register: string;
  bit: number;
}

/** QEMU's own migration properties of CPU bits (catalog-src/qemu-migration.json, from target/i386/cpu.c). */
export interface QemuMigration {
  /** feature_word_info[].unmigratable_flags */
  unmigratable: { cpuid: BitRef[] };
  /** vmx/svm and the feature words that exist only under them */
  nested: {
    cpuid: BitRef[];
    cpuidWords: Array<{ leaf: string; register: string }>;
    msrWords: Array<{ index: string }>;
  };
}

export interface QemuSlice {
  snap: MergedSnapshots;
  /** The oldest snapshot's release: what it has is "this release or older" */
  oldest: string;
  migration: QemuMigration;
}

export async function qemuStage(refresh: boolean): Promise<QemuSlice> {
  const snap = mergeSnapshots(await loadSnapshots(join(CATALOG_SRC, 'snapshots'), refresh));
  return { snap, oldest: snap.releases[0], migration: facts(curated<QemuMigration>('qemu-migration.json')) };
}

/** "CPUID.07H:EBX bit 16" / "MSR(10AH) bit 5" as QEMU prints them for features the accelerator lacks. */
export function parseQemuBit(text: string): {
  cpuid: CpuidBit | null;
  msr: { index: number; bit: number } | null;
} {
  const c = /^CPUID\.([0-9A-F]+)H:([A-Z]+) bit (\d+)$/.exec(text);
  if (c) {
    const leaf = parseInt(c[1], 16);
    const register = c[2].toLowerCase() as CpuidBit['register'];
    // QEMU prints no sub-leaf; leaf 7 EAX and leaf 0xD EAX features live in sub-leaf 1.
    const subleaf = [0x7, 0xd, 0x12, 0x14, 0x19, 0x24].includes(leaf)
      ? (leaf === 7 || leaf === 0xd) && register === 'eax'
        ? 1
        : 0
      : null;
    return { cpuid: { leaf, subleaf, register, bit: Number(c[3]) }, msr: null };
  }
  const m = /^MSR\(([0-9A-F]+)H\) bit (\d+)$/.exec(text);
  if (m) return { cpuid: null, msr: { index: parseInt(m[1], 16), bit: Number(m[2]) } };
  throw new Error(`unparsable QEMU bit "${text}"`);
}
