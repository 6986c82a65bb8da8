/**
 * Properties of plan and targets over random Proxmox clusters: random nodes and CPUs (real dumps),
 * nodes offline or without host data, HA rules of every kind (node affinity positive and negative,
 * strict or not, with priorities, groups, keep-together, keep-apart, disabled ones, ones Proxmox
 * drops), VM configs (every kind of cpu: line, invalid ones, args: -cpu, pinned machines) and states
 * (running, stopped, unknown, templates, locks). Each cluster is written as a copy of /etc/pve and read
 * back the way the CLI reads it.
 *
 * - `targets VMID`, which reads only what that VM needs, answers exactly what the plan says;
 * - no live target is a node where `check` refuses the VM, or a keep-together partner that moves with it;
 * - replaying the plan step by step never takes a live target from a running VM (bundles included).
 */
import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHosts } from '../src/cli/inputs.js';
import { checkMatrix } from '../src/engine/check.js';
import { migrationBlockers } from '../src/engine/migration.js';
import { vmDomain } from '../src/proxmox/ha/domains.js';
import { targetsJson } from '../src/proxmox/plan/answer.js';
import { loadPlanInput, loadTargetsInput } from '../src/proxmox/plan/inputs.js';
import { planWithTargets } from '../src/proxmox/plan/plan.js';
import { computeDrain } from '../src/proxmox/drain/drain.js';
import { TargetSolver, targetInputs } from '../src/proxmox/plan/targets.js';
import { fixturesDir } from './helpers/paths.js';
import { replayPlan } from './helpers/plan-replay.js';

const DUMPS = [
  'Xeon-E5-2690-v4_broadwell.cpuinfo',
  'Xeon-E5-2680-v3_haswell.cpuinfo',
  'Xeon-Gold-6132_skylake.cpuinfo',
  'EPYC-7301_naples.cpuinfo',
  'EPYC-9654_genoa.cpuinfo',
];

const CPU_LINES = [
  null,
  'host',
  'x86-64-v2-AES',
  'x86-64-v3',
  'kvm64',
  'custom-portable',
  'custom-haswellish',
  'Haswell-noTSX',
  'EPYC',
  'host,flags=+avx2',
  'kvm64,flags=+aes;+pdpe1gb',
  'host,flags=+nested-virt',
  'qemu64,phys-bits=host',
];

const MODELS =
  'cpu-model: portable\n\tflags -kvm_pv_unhalt;+popcnt;+sse4.1;+sse4.2;+ssse3\n\treported-model kvm64\n\n' +
  'cpu-model: haswellish\n\tflags +avx2;+aes\n\treported-model Haswell-noTSX\n\n';

const vmArb = fc.record({
  node: fc.nat(),
  cpu: fc.constantFrom(...CPU_LINES),
  argsCpu: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, fc.constant('kvm64,+sse4.2,-kvm_pv_unhalt')),
  machine: fc.constantFrom(null, null, 'pc-q35-8.1', 'pc-i440fx-9.2+pve0'),
  state: fc.constantFrom('running', 'running', 'stopped', 'unknown', 'unknown', 'template', 'locked'),
  ha: fc.constantFrom('started', 'started', 'started', 'started', 'ignored', 'none'),
});

const nodeRuleArb = fc.record({
  nodes: fc.uniqueArray(fc.nat({ max: 5 }), { minLength: 1, maxLength: 4 }),
  priorities: fc.boolean(),
  strict: fc.boolean(),
  negative: fc.boolean(),
  disabled: fc.constantFrom(false, false, false, true),
  vms: fc.uniqueArray(fc.nat({ max: 9 }), { minLength: 1, maxLength: 3 }),
});

const resRuleArb = fc.record({
  positive: fc.constantFrom(true, true, false),
  disabled: fc.constantFrom(false, false, false, true),
  vms: fc.uniqueArray(fc.nat({ max: 9 }), { minLength: 1, maxLength: 3 }),
});

const clusterArb = fc.record({
  dumps: fc.array(fc.constantFrom(...DUMPS), { minLength: 2, maxLength: 5 }),
  offline: fc.constantFrom(-1, -1, -1, 0, 1),
  unscanned: fc.constantFrom(-1, -1, -1, 1, 2),
  vms: fc.array(vmArb, { minLength: 1, maxLength: 8 }),
  group: fc.option(
    fc.record({ nodes: fc.uniqueArray(fc.nat({ max: 5 }), { minLength: 1, maxLength: 3 }), restricted: fc.boolean() }),
  ),
  nodeRules: fc.array(nodeRuleArb, { maxLength: 3 }),
  resRules: fc.array(resRuleArb, { maxLength: 3 }),
});

type Cluster = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

/** The cluster as files: a copy of /etc/pve and a host data folder; returns the CLI's options. */
function writeCluster(c: Cluster) {
  const dir = mkdtempSync(join(tmpdir(), 'plan-prop-'));
  const etc = join(dir, 'etc-pve');
  const hosts = join(dir, 'hosts');
  mkdirSync(hosts);
  const nodes = c.dumps.map((_, i) => `pve${i + 1}`);
  const node = (i: number) => nodes[i % nodes.length];
  nodes.forEach((n, i) => {
    mkdirSync(join(etc, 'nodes', n, 'qemu-server'), { recursive: true });
    if (i !== c.unscanned) copyFileSync(join(fixturesDir, c.dumps[i]), join(hosts, `${n}.cpuinfo`));
  });
  mkdirSync(join(etc, 'virtual-guest'));
  writeFileSync(join(etc, 'virtual-guest/cpu-models.conf'), MODELS);
  if (c.offline >= 0 && c.offline < nodes.length) {
    const nodelist = Object.fromEntries(nodes.map((n, i) => [n, { id: i + 1, online: i === c.offline ? 0 : 1 }]));
    writeFileSync(join(etc, '.members'), JSON.stringify({ nodename: nodes[0], version: 1, nodelist }));
  }
  const running: string[] = [];
  const stopped: string[] = [];
  let resources = '';
  const vmid = (i: number) => 100 + (i % c.vms.length);
  c.vms.forEach((v, i) => {
    const lines = [`name: vm${i}`, 'cores: 1'];
    if (v.cpu) lines.push(`cpu: ${v.cpu}`);
    if (v.argsCpu) lines.push(`args: -cpu ${v.argsCpu}`);
    if (v.machine) lines.push(`machine: ${v.machine}`);
    if (v.state === 'template') lines.push('template: 1');
    if (v.state === 'locked') lines.push('lock: backup');
    if (v.state === 'running') running.push(String(100 + i));
    if (v.state === 'stopped') stopped.push(String(100 + i));
    writeFileSync(join(etc, 'nodes', node(v.node), 'qemu-server', `${100 + i}.conf`), lines.join('\n') + '\n');
    if (v.ha !== 'none') resources += `vm: ${100 + i}\n\tstate ${v.ha}\n${c.group && i % 2 ? '\tgroup g1\n' : ''}\n`;
  });
  mkdirSync(join(etc, 'ha'));
  writeFileSync(join(etc, 'ha/resources.cfg'), resources);
  if (c.group)
    writeFileSync(
      join(etc, 'ha/groups.cfg'),
      `group: g1\n\tnodes ${[...new Set(c.group.nodes.map(node))].join(',')}\n\trestricted ${c.group.restricted ? 1 : 0}\n\n`,
    );
  const rules = [
    ...c.nodeRules.map(
      (r, k) =>
        `node-affinity: na${k}\n\tnodes ${[...new Set(r.nodes.map(node))].map((n, j) => (r.priorities ? `${n}:${j}` : n)).join(',')}\n` +
        `\tresources ${[...new Set(r.vms.map(vmid))].map((id) => `vm:${id}`).join(',')}\n\tstrict ${r.strict ? 1 : 0}\n` +
        `${r.negative ? '\taffinity negative\n' : ''}${r.disabled ? '\tdisable 1\n' : ''}`,
    ),
    ...c.resRules.map(
      (r, k) =>
        `resource-affinity: ra${k}\n\tresources ${[...new Set(r.vms.map(vmid))].map((id) => `vm:${id}`).join(',')}\n` +
        `\taffinity ${r.positive ? 'positive' : 'negative'}\n${r.disabled ? '\tdisable 1\n' : ''}`,
    ),
  ];
  writeFileSync(join(etc, 'ha/rules.cfg'), rules.join('\n'));
  return { dir, hosts, opts: { pveConfig: etc, running, stopped } };
}

describe('plan and targets over random clusters', () => {
  it('targets = plan; no target check refuses; the replayed rollout keeps every running VM its targets', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, async (c) => {
        const { dir, hosts, opts } = writeCluster(c);
        try {
          const input = await loadPlanInput([hosts], opts, loadHosts);
          const { plan, targets } = planWithTargets(input);
          const solver = new TargetSolver(targetInputs(input));
          const hostOf = new Map(input.hosts.map((h) => [h.name, h]));
          for (const v of plan.vms) {
            // targets VMID reads its own share of the cluster and must say what the plan says
            const { input: part, ha } = await loadTargetsInput([v.vmid], [hosts], opts, loadHosts);
            const vm = part.vms.find((x) => x.vmid === v.vmid)!;
            const d = vmDomain(v.vmid, part.nodes, ha);
            const answer = targetsJson(vm, d, new TargetSolver(targetInputs(part, ha)).vmTargets(vm, d.nodes));
            expect(answer).toEqual(targets.find((t) => t.vmid === v.vmid));
            expect(answer.liveTargets).toEqual(v.liveTargets);
            // every live target runs the VM, and every keep-together partner that moves along: check
            // accepts it there, and a running one passes the engine's migration rules from its node
            const movers = [v.vmid, ...(v.together ?? []).map((s) => Number(s.slice(3)))];
            for (const node of v.liveTargets)
              for (const id of movers) {
                const m = input.vms.find((x) => x.vmid === id)!;
                if (id !== v.vmid && m.node === node) continue;
                const cpu = solver.cpuOf(m);
                const cell = checkMatrix([cpu], [hostOf.get(node)!]).cells[0];
                expect(cell.ok, `VM ${id} on ${node} (target of ${v.vmid}): ${JSON.stringify(cell.missing)}`).toBe(
                  true,
                );
                if (m.running === false) continue;
                const machineVersion = /pc-(?:q35|i440fx)-(\d+\.\d+)/.exec(m.config.raw.machine ?? '')?.[1];
                const ctx = { vm: cpu, source: hostOf.get(m.node)!, target: hostOf.get(node)!, machineVersion };
                expect(migrationBlockers(ctx), `VM ${id} moving ${m.node} -> ${node}`).toEqual([]);
              }
          }
          expect(replayPlan(input, plan).violations).toEqual([]);
          // drain NODE proposes only what targets offers: live moves to live targets, cold moves
          // where the CPU starts (a template's never does), nothing to a keep-apart partner's node,
          // nothing for a locked VM
          for (const node of input.nodes) {
            for (const d of computeDrain(input, plan, node).vms) {
              const p = plan.vms.find((x) => x.vmid === d.vmid)!;
              const m = input.vms.find((x) => x.vmid === d.vmid)!;
              const apartOn = new Set(
                (p.apart ?? []).map((sid) => input.vms.find((x) => `vm:${x.vmid}` === sid)?.node),
              );
              if (p.lock) expect(d.commands.length + d.fixes.length, `drain ${node}: locked ${d.vmid}`).toBe(0);
              for (const c of [...d.commands, ...d.fixes.flatMap((f) => f.commands)]) {
                const mig = /^qm migrate \d+ (\S+)( --online)?$/.exec(c);
                if (!mig) continue;
                const at = `drain ${node}: ${c}`;
                expect(apartOn.has(mig[1]), `${at}: a keep-apart partner is there`).toBe(false);
                if (mig[2]) expect(p.liveTargets, at).toContain(mig[1]);
                else if (!p.template)
                  expect(checkMatrix([solver.cpuOf(m)], [hostOf.get(mig[1])!]).cells[0].ok, at).toBe(true);
              }
            }
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      {
        numRuns: 60,
        examples: [
          // found here: a running VM outside its restricted group's node was restarted where it was, booting
          // the group's Intel model on an AMD node, and lost its way back into the group
          [
            {
              dumps: [
                'EPYC-9654_genoa.cpuinfo',
                'Xeon-E5-2690-v4_broadwell.cpuinfo',
                'Xeon-E5-2690-v4_broadwell.cpuinfo',
              ],
              offline: -1,
              unscanned: -1,
              vms: [null, 'custom-portable', null].map((cpu) => ({
                node: 0,
                cpu,
                argsCpu: null,
                machine: null,
                state: 'running' as const,
                ha: 'started' as const,
              })),
              group: { nodes: [1], restricted: true },
              nodeRules: [],
              resRules: [],
            },
          ],
        ],
      },
    );
  });
});
