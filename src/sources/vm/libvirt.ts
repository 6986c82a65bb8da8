/** libvirt domain XML: the <cpu> element (custom, host-model, host-passthrough). */
import { XMLParser } from 'fast-xml-parser';
import { featureFromLibvirt } from '../../catalog/libvirt.js';
import { errorLine, InputError } from '../../errors.js';
import { resolveCpuRequest } from './resolve.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

export function looksLikeDomainXml(text: string): boolean {
  return /<domain[\s>]/.test(text);
}

type XmlNode = Record<string, unknown>;

/**
 * One element as fast-xml-parser gives it: absent or empty (`<cpu/>` is ''), text only, or an
 * object; the same element twice (an array) is not what libvirt writes.
 */
function element(value: unknown, where: string, tag: string): XmlNode | null {
  if (value === undefined || value === '') return null;
  if (Array.isArray(value)) throw new InputError(where, `more than one <${tag}> where libvirt has one`);
  if (typeof value === 'object' && value !== null) return value as XmlNode;
  return { '#text': String(value) };
}

function attribute(node: XmlNode, name: string, where: string, tag: string): string | undefined {
  const v = node[`@${name}`];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InputError(where, `<${tag}> has more than one ${name} attribute`);
  return v;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  where: string,
  what: string,
): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw new InputError(where, `${what} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

// libvirt's domain schema (docs/formatdomain.rst, "CPU model and topology")
const CPU_MODES = ['custom', 'host-model', 'host-passthrough', 'maximum'] as const;
const FEATURE_POLICIES = ['force', 'require', 'optional', 'disable', 'forbid'] as const;
const MAXPHYSADDR_MODES = ['emulate', 'passthrough'] as const;

function physBitsOf(cpu: XmlNode, where: string): number | 'host' | null {
  const maxphys = element(cpu.maxphysaddr, where, 'maxphysaddr');
  if (!maxphys) return null;
  const mode = oneOf(attribute(maxphys, 'mode', where, 'maxphysaddr'), MAXPHYSADDR_MODES, where, '<maxphysaddr> mode');
  if (mode === 'passthrough') return 'host';
  const bits = attribute(maxphys, 'bits', where, 'maxphysaddr');
  if (bits === undefined) return null;
  if (!/^\d{1,2}$/.test(bits) || Number(bits) < 32 || Number(bits) > 64)
    throw new InputError(where, `<maxphysaddr bits=${JSON.stringify(bits)}> is not an address width (32-64)`);
  return Number(bits);
}

function featureChanges(cpu: XmlNode, where: string): Array<[string, boolean]> {
  const changes: Array<[string, boolean]> = [];
  for (const raw of (cpu.feature as unknown[] | undefined) ?? []) {
    const f = element(raw, where, 'feature') ?? {};
    const lv = attribute(f, 'name', where, 'feature');
    if (!lv) throw new InputError(where, '<cpu> has a <feature> without a name attribute');
    const canon = featureFromLibvirt(lv);
    if (!canon) throw new InputError(where, `unknown libvirt CPU feature "${lv}"`);
    const policy =
      oneOf(attribute(f, 'policy', where, 'feature'), FEATURE_POLICIES, where, `<feature name="${lv}"> policy`) ??
      'require';
    if (policy === 'require' || policy === 'force') changes.push([canon, true]);
    else if (policy === 'disable' || policy === 'forbid') changes.push([canon, false]);
  }
  return changes;
}

export function vmFromDomainXml(text: string, where: string, name: string): VmCpu {
  // Entities are never expanded: a DOCTYPE has no business in a domain definition
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new InputError(where, 'XML with a DOCTYPE/ENTITY declaration is refused');
  let doc: XmlNode;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      processEntities: false,
      // text stays text: a model named 486 is a name, not a number
      parseTagValue: false,
      isArray: (n) => n === 'feature',
    }).parse(text);
  } catch (e) {
    throw new InputError(where, `invalid XML: ${errorLine(e)}`);
  }
  const domain = element(doc.domain, where, 'domain');
  if (!domain) throw new InputError(where, 'expected a libvirt <domain> document');
  const nameNode = element(domain.name, where, 'name');
  const vmName = typeof nameNode?.['#text'] === 'string' && nameNode['#text'] ? nameNode['#text'] : name;
  const cpu = element(domain.cpu, where, 'cpu') ?? {};
  const mode = oneOf(attribute(cpu, 'mode', where, 'cpu'), CPU_MODES, where, '<cpu> mode') ?? 'custom';
  const physBits = physBitsOf(cpu, where);
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
  const modelText = element(cpu.model, where, 'model')?.['#text'];
  const modelName = typeof modelText === 'string' ? modelText.trim() : '';
  if (!modelName) throw new InputError(where, '<cpu mode="custom"> without a <model>');
  const changes = featureChanges(cpu, where);
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
