/** Plain QEMU: the -cpu argument with enforce, so a host missing a feature refuses to start the guest. */
import type { BaselineResult } from '../engine/types.js';
import { cpuString } from '../formats/qemu-cpu.js';
import { checkResult } from './guard.js';

/** `base,+a,-b[,phys-bits=N],enforce`: one boolean style only, as QEMU applies them in order. */
export function qemuCpuValue(result: BaselineResult, format = 'qemu'): string {
  checkResult(result, format);
  const parts = [cpuString(result.base, [...result.plus].sort(), [...result.minus].sort())];
  if (result.physBits !== null) parts.push(`phys-bits=${result.physBits}`);
  parts.push('enforce');
  return parts.join(',');
}

export function emitQemu(result: BaselineResult): string {
  return `-cpu ${qemuCpuValue(result)}\n`;
}
