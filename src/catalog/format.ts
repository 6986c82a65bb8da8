import type { Feature } from './types.js';

const hex = (n: number) =>
  '0x' +
  n
    .toString(16)
    .toUpperCase()
    .padStart(n > 0xffff ? 8 : 2, '0');

/** A feature's bit as people write it: "0x07.0 EBX[5]" or "MSR 0x10A[3]" (CLI tables and the dashboard). */
export function formatBit(f: Pick<Feature, 'cpuid' | 'msr'>): string {
  if (f.cpuid)
    return `${hex(f.cpuid.leaf)}${f.cpuid.subleaf !== null ? `.${f.cpuid.subleaf}` : ''} ${f.cpuid.register.toUpperCase()}[${f.cpuid.bit}]`;
  if (f.msr) return `MSR ${hex(f.msr.index)}[${f.msr.bit}]`;
  return '-';
}
