/**
 * KubeVirt: the kubevirt output, merged into a minimal VirtualMachine, validates against KubeVirt
 * v1.9.0's own OpenAPI definitions (test/fixtures/kubevirt, source in its README) with unknown fields
 * refused; the model is one the virt-launcher's libvirt (9.0 or later) knows.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EMITTERS } from '../src/emitters/index.js';
import { libvirtRelease } from '../src/catalog/libvirt.js';
import { pairResults } from './helpers/consumer-pairs.js';
import { repoRoot } from './helpers/paths.js';
import { swaggerProblems } from './helpers/swagger-validate.js';

type Json = Record<string, unknown>;
const swagger = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/kubevirt/virtualmachine.swagger.json'), 'utf8'));
const problems = (doc: unknown) => swaggerProblems(swagger.definitions, 'v1.VirtualMachine', doc);

/** The snippet merged into the smallest VirtualMachine the API takes. */
function virtualMachine(snippet: Json): Json {
  const domain = (snippet as { spec: { template: { spec: { domain: Json } } } }).spec.template.spec.domain;
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: 'vm1' },
    spec: { runStrategy: 'Halted', template: { spec: { domain: { ...domain, devices: {} } } } },
  };
}

describe('KubeVirt v1.9.0 VirtualMachine schema', () => {
  for (const [pair, result] of Object.entries(pairResults())) {
    it(`${pair}: valid VirtualMachine, libvirt-known model, libvirt feature policies`, () => {
      const doc = parseYaml(EMITTERS.kubevirt.emit(result, {}), { strict: true, uniqueKeys: true }) as Json;
      const vm = virtualMachine(doc);
      expect(problems(vm)).toEqual([]);
      const cpu = (vm as { spec: { template: { spec: { domain: { cpu: { model: string; features?: Json[] } } } } } })
        .spec.template.spec.domain.cpu;
      expect(libvirtRelease('9.0')!.models).toContain(cpu.model);
      for (const f of cpu.features ?? []) expect(['require', 'disable']).toContain(f.policy);
    });
  }

  it('refuses what KubeVirt would refuse: an unknown field, a feature without a name', () => {
    const good = virtualMachine(parseYaml(EMITTERS.kubevirt.emit(pairResults().amd, {})) as Json);
    const bad1 = structuredClone(good) as { spec: { template: { spec: { domain: { cpu: Json } } } } };
    bad1.spec.template.spec.domain.cpu.checkMode = 'full';
    expect(problems(bad1)).toEqual(['.spec.template.spec.domain.cpu.checkMode: unknown field']);
    const bad2 = structuredClone(good) as { spec: { template: { spec: { domain: { cpu: { features: Json[] } } } } } };
    bad2.spec.template.spec.domain.cpu.features = [{ policy: 'require' }];
    expect(problems(bad2)).toEqual(['.spec.template.spec.domain.cpu.features[0].name: required']);
    const bad3 = structuredClone(good) as { spec: { template: { spec: { domain: Json } } } };
    bad3.spec.template.spec.domain.features = { pvspinlock: { enabled: 'yes' } };
    expect(problems(bad3)).toEqual(['.spec.template.spec.domain.features.pvspinlock.enabled: expected a boolean']);
  });
});
