/** VM CPU inputs, detected from content: Proxmox VM configs, libvirt domain XML, -cpu strings, baseline JSON. */
import { InputError } from '../../errors.js';
import { looksLikeCpuModels, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import { READERS } from '../index.js';
import { checkVmSize } from '../size-caps.js';
import { looksLikeDomainXml, vmFromDomainXml } from './libvirt.js';
import { looksLikePveVmConfig, vmFromPveText } from './pve.js';
import { vmFromCpuString } from './qemu-cpu.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

export type { VmCpu } from '../../profile/vm-cpu.js';

/** Host data or a cpu-models.conf given as a VM: what it is and where it goes, for the error. */
function notAVm(text: string): string | null {
  if (looksLikeCpuModels(text)) return 'this is a Proxmox cpu-models.conf, not a VM (give it with --cpu-models)';
  const host = READERS.find((r) => r.detect(text));
  return host ? `this is host CPU data (${host.format}), not a VM (host data goes in the HOSTS arguments)` : null;
}

export function readVmsFromText(
  text: string,
  where: string,
  name: string,
  customModels?: Map<string, CpuModelSection>,
): VmCpu[] {
  if (!text.trim()) throw new InputError(where, 'empty input; expected a VM config, domain XML or -cpu string');
  if (text.includes('\u0000'))
    throw new InputError(where, 'binary data; expected a VM config, domain XML or -cpu string');
  if (looksLikeDomainXml(text)) {
    checkVmSize('libvirt-xml', text, where);
    return [vmFromDomainXml(text, where, name)];
  }
  if (/^\s*\{/.test(text)) {
    let doc: { cpu?: unknown; name?: unknown };
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new InputError(where, `invalid JSON: ${(e as Error).message}`);
    }
    if (typeof doc.cpu !== 'string')
      throw new InputError(
        where,
        notAVm(text) ?? 'expected a `migratable baseline --format json` result with a "cpu" string',
      );
    return [vmFromCpuString(doc.cpu, where, typeof doc.name === 'string' ? doc.name : name, 'baseline-json')];
  }
  if (looksLikePveVmConfig(text)) {
    checkVmSize('pve-config', text, where);
    return [vmFromPveText(text, where, name, customModels)];
  }
  const line = text.trim();
  if (!line.includes('\n')) return [vmFromCpuString(line, where, name)];
  throw new InputError(
    where,
    notAVm(text) ??
      'unrecognized VM input; supported: Proxmox VM config (qemu-server/<vmid>.conf), libvirt domain XML, a QEMU -cpu string, migratable baseline JSON',
  );
}
