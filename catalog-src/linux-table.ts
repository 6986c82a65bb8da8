/** Reads the Linux cpufeatures table (../shared/reference/linux-cpufeatures.tsv). */
import { readFileSync } from 'node:fs';
import type { Register } from '../src/catalog/types.js';

export interface LinuxRow {
  define: string;
  word: number;
  bit: number;
  cpuinfo: string;
  description: string;
  /** null for Linux-defined (synthetic) words */
  cpuid: { leaf: number; subleaf: number | null; register: Register } | null;
}

export function readLinuxTable(file: string): LinuxRow[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  if (!header.startsWith('define\tword\tbit')) throw new Error(`${file}: unexpected header`);
  return lines.map((line) => {
    const [define, word, bit, cpuinfo, description, source] = line.split('\t');
    const m = /^CPUID (0x[0-9a-fA-F]+)(?::(\d+))? (EAX|EBX|ECX|EDX)$/.exec(source);
    return {
      define,
      word: Number(word),
      bit: Number(bit),
      cpuinfo,
      description,
      cpuid: m
        ? {
            leaf: parseInt(m[1], 16),
            subleaf: m[2] !== undefined ? Number(m[2]) : null,
            register: m[3].toLowerCase() as Register,
          }
        : null,
    };
  });
}
