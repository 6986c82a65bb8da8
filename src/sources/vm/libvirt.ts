/** libvirt domain XML: the <cpu> element (custom, host-model, host-passthrough). */
import { XMLParser } from 'fast-xml-parser';
import { featureFromLibvirt } from '../../catalog/libvirt.js';
import { errorLine, InputError } from '../../errors.js';
import { resolveCpuRequest } from './resolve.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

export function looksLikeDomainXml(text: string): boolean {
  return /<domain[\s>]/.test(text);
}

export function vmFromDomainXml(text: string, where: string, name: string): VmCpu {
  // Entities are never expanded: a DOCTYPE has no business in a domain definition
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new InputError(where, 'XML with a DOCTYPE/ENTITY declaration is refused');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fast-xml-parser output has no static shape
  let doc: any;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      processEntities: false,
      isArray: (n) => n === 'feature',
    }).parse(text);
  } catch (e) {
    throw new InputError(where, `invalid XML: ${errorLine(e)}`);
  }
  const domain = doc.domain;
  if (!domain) throw new InputError(where, 'expected a libvirt <domain> document');
  const vmName = typeof domain.name === 'string' ? domain.name : name;
  const cpu = domain.cpu ?? {};
  const mode = cpu['@mode'] ?? 'custom';
  const maxphys = cpu.maxphysaddr;
  const physBits = maxphys?.['@mode'] === 'passthrough' ? 'host' : maxphys?.['@bits'] ? Number(maxphys['@bits']) : null;
  if (mode === 'host-passthrough' || mode === 'maximum')
    return resolveCpuRequest(
      {
        name: vmName,
        source: 'libvirt-xml',
        cpu: 'host',
        model: mode === 'maximum' ? 'max' : 'host',
        changes: [],
        physBits,
      },
      where,
    );
  if (mode === 'host-model')
    return resolveCpuRequest(
      {
        name: vmName,
        source: 'libvirt-xml',
        cpu: 'host-model',
        model: 'host',
        changes: [],
        physBits,
        notes: [
          'host-model is expanded on the boot host: libvirt migrates the expanded CPU, which must exist on the target',
        ],
      },
      where,
    );
  const modelName = typeof cpu.model === 'string' ? cpu.model : cpu.model?.['#text'];
  if (!modelName) throw new InputError(where, '<cpu mode="custom"> without a <model>');
  const changes: Array<[string, boolean]> = [];
  for (const f of cpu.feature ?? []) {
    const lv = f['@name'];
    const canon = featureFromLibvirt(lv);
    if (!canon) throw new InputError(where, `unknown libvirt CPU feature "${lv}"`);
    const policy = f['@policy'] ?? 'require';
    if (policy === 'require' || policy === 'force') changes.push([canon, true]);
    else if (policy === 'disable' || policy === 'forbid') changes.push([canon, false]);
  }
  return resolveCpuRequest(
    {
      name: vmName,
      source: 'libvirt-xml',
      cpu: `${modelName}${changes.map(([f, on]) => `,${on ? '+' : '-'}${f}`).join('')}`,
      model: modelName,
      changes,
      physBits,
      notes: [
        "libvirt expands its own definition of the model; the catalog uses QEMU's, which can differ slightly for unversioned names",
      ],
    },
    where,
  );
}
