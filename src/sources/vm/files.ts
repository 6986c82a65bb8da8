/** Node-only: VM inputs from files, directories (a copy of /etc/pve/qemu-server/) or literal -cpu strings. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import { readInputText } from '../files.js';
import { VM_INPUT } from '../size-caps.js';
import { readVmsFromText } from './index.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

export function readVmInputs(inputs: string[], customModels?: Map<string, CpuModelSection>): VmCpu[] {
  const out: VmCpu[] = [];
  for (const input of inputs) {
    if (input !== '-' && !existsSync(input)) {
      // Not a file: a literal -cpu string such as "Westmere,+tsc-deadline,-x2apic"
      out.push(...readVmsFromText(input, `--vm ${input}`, input, customModels));
      continue;
    }
    if (input !== '-' && statSync(input).isDirectory()) {
      const files = readdirSync(input)
        .filter((f) => /\.(conf|xml|json)$/.test(f))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      for (const f of files)
        out.push(
          ...readVmsFromText(
            readInputText(join(input, f), VM_INPUT),
            join(input, f),
            f.replace(/\.\w+$/, ''),
            customModels,
          ),
        );
      continue;
    }
    out.push(
      ...readVmsFromText(
        readInputText(input, VM_INPUT),
        input,
        input
          .split('/')
          .pop()!
          .replace(/\.\w+$/, ''),
        customModels,
      ),
    );
  }
  return out;
}
