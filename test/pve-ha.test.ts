import { describe, expect, it } from 'vitest';
import { vmDomain } from '../src/proxmox/ha/domains.js';
import { migrationBlockers } from '../src/engine/migration.js';
import { pinnedMachineVersion } from '../src/proxmox/plan/targets.js';
import {
  combineHaConfig,
  parseHaGroups,
  parseHaResources,
  parseHaRules,
  type HaConfig,
} from '../src/proxmox/config/ha.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { vmFromCpuString } from '../src/sources/vm/qemu-cpu.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from './helpers/paths.js';
import { CLUSTER_NODE_DUMPS } from './helpers/pve-cluster.js';

const NODES = ['pve1', 'pve2', 'pve3'];
const ha = (groups: string, resources: string, rules = ''): HaConfig =>
  combineHaConfig(
    parseHaGroups(groups, 'groups.cfg'),
    parseHaResources(resources, 'resources.cfg'),
    parseHaRules(rules, 'rules.cfg'),
  );

describe('HA config (pve-ha-manager Groups.pm, Resources.pm, Rules/NodeAffinity.pm)', () => {
  it('reads priorities, restricted and the resources naming a group', () => {
    const cfg = ha(
      'group: g1\n\tnodes pve1:2,pve2\n\trestricted 1\n\tnofailback 1\n\n',
      'vm: 100\n\tgroup g1\n\nct: 200\n\tgroup g1\n',
    );
    expect(cfg.placements).toEqual([
      {
        kind: 'group',
        id: 'g1',
        nodes: [
          { node: 'pve1', priority: 2 },
          { node: 'pve2', priority: 0 },
        ],
        strict: true,
        resources: ['vm:100', 'ct:200'],
      },
    ]);
    expect(vmDomain(100, NODES, cfg)).toMatchObject({ nodes: ['pve1', 'pve2'], placementId: 'g1' });
  });

  it('disabled rules, other rule types, ignored resources and unmanaged VMs do not restrict', () => {
    const rules =
      'node-affinity: off\n\tnodes pve1\n\tresources vm:100\n\tstrict 1\n\tdisable 1\n\n' +
      'resource-affinity: apart\n\tresources vm:100,vm:101\n\taffinity negative\n\n' +
      'node-affinity: ign\n\tnodes pve1\n\tresources vm:101,vm:102\n\tstrict 1\n';
    const cfg = ha('', 'vm: 100\n\nvm: 101\n\tstate ignored\n', rules);
    for (const vmid of [100, 101, 102]) expect(vmDomain(vmid, NODES, cfg).nodes).toEqual(NODES);
    expect(cfg.notes.join('\n')).toMatch(/ignored/);
  });

  it('a VM in two placements gets every node (PVE applies neither)', () => {
    const cfg = ha(
      'group: g1\n\tnodes pve1\n\trestricted 1\n',
      'vm: 100\n\tgroup g1\n',
      'node-affinity: r1\n\tnodes pve2\n\tresources vm:100\n\tstrict 1\n',
    );
    const d = vmDomain(100, NODES, cfg);
    expect(d.nodes).toEqual(NODES);
    expect(d.notes.join()).toMatch(/applies neither/);
  });

  it('refuses what PVE cannot parse, naming file and line', () => {
    expect(() => parseHaGroups('group: g\n\tnodes pve1:x\n', 'ha/groups.cfg')).toThrow(/ha\/groups.cfg: .*pve1:x/);
    expect(() => parseHaGroups('group: g\n\trestricted maybe\n\tnodes a\n', 'g.cfg')).toThrow(/g.cfg: line 2/);
    expect(() => parseHaRules('node-affinity: r\n\tnodes pve1\n', 'rules.cfg')).toThrow(
      /rules.cfg: line 1: .*resources/,
    );
  });
});

describe('non-flag migration blockers', () => {
  const host = (node: string) =>
    readCpuinfo(readFileSync(join(fixturesDir, CLUSTER_NODE_DUMPS[node]), 'utf8'), node, node);
  const [bdw, hsw] = [host('pve1'), host('pve2')];
  const vm = (cpu: string) => vmFromCpuString(cpu, 'test', 'vm');

  it('machine version newer than the target QEMU', () => {
    expect(pinnedMachineVersion('pc-q35-8.1+pve0')).toBe('8.1');
    expect(pinnedMachineVersion('type=pc-i440fx-9.2,viommu=intel')).toBe('9.2');
    expect(pinnedMachineVersion('q35')).toBeUndefined();
    const ctx = { vm: vm('qemu64'), source: bdw, target: { ...hsw, qemu: '8.0.2' }, machineVersion: '8.1' };
    expect(migrationBlockers(ctx).join()).toMatch(/machine version 8.1 needs QEMU 8.1/);
    expect(migrationBlockers({ ...ctx, target: { ...hsw, qemu: '8.1.5' } })).toEqual([]);
  });

  it('phys-bits host onto fewer bits, invtsc without tsc-frequency, nested vmx', () => {
    const narrow = { ...hsw, physBits: 39 };
    expect(
      migrationBlockers({
        vm: vm('qemu64,host-phys-bits=on'),
        source: { ...bdw, physBits: 46 },
        target: narrow,
      }).join(),
    ).toMatch(/phys-bits host/);
    expect(migrationBlockers({ vm: vm('qemu64,+invtsc'), source: bdw, target: hsw }).join()).toMatch(/tsc-frequency/);
    expect(
      migrationBlockers({ vm: vm('qemu64,+invtsc,tsc-frequency=2600000000'), source: bdw, target: hsw }).join(),
    ).not.toMatch(/tsc-frequency/);
    expect(migrationBlockers({ vm: vm('qemu64,+vmx'), source: bdw, target: hsw }).join()).toMatch(/nested/);
  });
});
