/**
 * One fixture cluster per Proxmox placement semantic (test/fixtures/pve-semantics/README.md cites the
 * source of each): a copy of /etc/pve, the node -> cpuinfo dump map, and what pve-ha-manager and
 * qemu-server make of it (expect.json). Each is replayed through plan, through `targets VMID` (which
 * reads only what one VM needs, and must answer exactly what the plan says), and the rollout is
 * replayed step by step.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHosts } from '../src/cli/inputs.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { preconditionJson } from '../src/proxmox/plan/answer.js';
import { loadTargetsInput } from '../src/proxmox/plan/inputs.js';
import { planWithTargets } from '../src/proxmox/plan/plan.js';
import { TargetSolver, targetInputs } from '../src/proxmox/plan/targets.js';
import { targetsJson, type TargetsJson } from '../src/proxmox/plan/answer.js';
import type { Plan, PlanInput } from '../src/proxmox/plan/types.js';
import { vmDomain } from '../src/proxmox/ha/domains.js';
import { computeDrain } from '../src/proxmox/drain/drain.js';
import { currentCpu } from '../src/proxmox/plan/targets.js';
import { checkCell } from '../src/engine/check.js';
import { computeGuardrails } from '../src/proxmox/ha/guardrails.js';
import {
  checkFeasibility,
  compileNodeAffinity,
  migrateGroupsToRules,
  parseGroups,
  parseResources,
  parseRules,
} from './helpers/pve-ha-rules-replay.js';
import { readProfileInputs } from '../src/sources/files.js';
import { cli } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { replayPlan } from './helpers/plan-replay.js';

const root = join(repoRoot, 'test/fixtures/pve-semantics');
const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

interface VmExpect {
  domain: string[];
  domainSource?: string;
  current?: string;
  liveTargets: string[];
  /** node -> regex over its reasons joined with ' | ' */
  blocked: Record<string, string>;
  action: 'keep' | 'change-model';
  needsRestart?: boolean;
  template?: boolean;
  lock?: string;
  together?: string[];
  apart?: string[];
  notes?: string[];
  commandsMatch?: string;
}

/** What `drain NODE` says of one VM: status, targets, commands exactly; notes as regexes in order */
interface DrainExpect {
  status: 'live' | 'stopped' | 'stuck';
  liveTargets?: string[];
  commands?: string[];
  fixes?: unknown[];
  template?: boolean;
  lock?: string;
  together?: string[];
  apart?: string[];
  notes?: string[];
}

interface CaseExpect {
  vms: Record<string, VmExpect>;
  /** node -> vmid -> what drain NODE says */
  drain?: Record<string, Record<string, DrainExpect>>;
  /** drain NODE --after one profile replacing every node: these VMs' CPUs do not start on it, yet only `stranded` is */
  drainAfter?: { node: string; everyNode: string; doesNotStart: number[]; stranded: number[] };
  /** regexes the plan's notes match, in this order */
  notes: string[];
}

function hostsDir(name: string): string {
  const map = JSON.parse(readFileSync(join(root, name, 'hosts.json'), 'utf8')) as Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), `sem-${name}-`));
  for (const [node, dump] of Object.entries(map)) copyFileSync(join(fixturesDir, dump), join(dir, `${node}.cpuinfo`));
  return dir;
}

function expectInOrder(notes: string[], patterns: string[]): void {
  let at = 0;
  for (const p of patterns) {
    const i = notes.findIndex((n, j) => j >= at && new RegExp(p).test(n));
    expect(i, `note /${p}/ (after note ${at}) in:\n${notes.join('\n')}`).toBeGreaterThanOrEqual(0);
    at = i + 1;
  }
}

describe.each(cases)('%s', (name) => {
  const etcPve = join(root, name, 'etc-pve');
  const want = JSON.parse(readFileSync(join(root, name, 'expect.json'), 'utf8')) as CaseExpect;
  let hosts: string;
  let input: PlanInput;
  let plan: Plan;
  let targets: TargetsJson[];
  const CASE_DRAIN = want.drain ?? {};
  beforeAll(() => {
    hosts = hostsDir(name);
    input = { ...readEtcPve(etcPve), hosts: readProfileInputs([hosts]) };
    ({ plan, targets } = planWithTargets(input));
  });

  it('plan: domain, live targets, blockers and action per VM, as the cited source has them', () => {
    expect(plan.vms.map((v) => String(v.vmid))).toEqual(Object.keys(want.vms));
    for (const [id, w] of Object.entries(want.vms)) {
      const v = plan.vms.find((x) => x.vmid === Number(id))!;
      const t = targets.find((x) => x.vmid === Number(id))!;
      const at = `VM ${id}`;
      expect(v.domain, at).toEqual(w.domain);
      if (w.domainSource) expect(t.domainSource, at).toMatch(new RegExp(w.domainSource));
      if (w.current) expect(v.current, at).toMatch(new RegExp(w.current));
      expect(v.liveTargets, at).toEqual(w.liveTargets);
      expect(
        v.blocked.map((b) => b.node),
        at,
      ).toEqual(w.domain.filter((n) => n !== v.node && !w.liveTargets.includes(n)));
      for (const [node, re] of Object.entries(w.blocked))
        expect(v.blocked.find((b) => b.node === node)?.reasons.join(' | '), `${at} on ${node}`).toMatch(new RegExp(re));
      expect(v.action, at).toBe(w.action);
      if (w.needsRestart !== undefined) expect(v.needsRestart, at).toBe(w.needsRestart);
      if (w.commandsMatch) expect(v.commands.join('\n'), at).toMatch(new RegExp(w.commandsMatch, 's'));
      expect(v.template, at).toBe(w.template);
      expect(v.lock, at).toBe(w.lock);
      expect(v.together, at).toEqual(w.together);
      expect(v.apart, at).toEqual(w.apart);
      expectInOrder(v.notes, w.notes ?? []);
    }
    expectInOrder(plan.notes, want.notes);
  });

  it('targets VMID, reading only what that VM needs, answers what the plan says', async () => {
    for (const id of Object.keys(want.vms).map(Number)) {
      const { input: part, ha } = await loadTargetsInput([id], [hosts], { pveConfig: etcPve }, loadHosts);
      expect(part.vms.length).toBeLessThanOrEqual(input.vms.length);
      const vm = part.vms.find((v) => v.vmid === id)!;
      const d = vmDomain(id, part.nodes, ha);
      const answer = targetsJson(vm, d, new TargetSolver(targetInputs(part, ha)).vmTargets(vm, d.nodes));
      expect(answer, `VM ${id}`).toEqual(targets.find((t) => t.vmid === id));
    }
  });

  it('the rollout, replayed step by step, never takes a target from a running VM', () => {
    expect(replayPlan(input, plan).violations).toEqual([]);
  });

  it('drain NODE proposes only what targets offers: live moves to live targets, cold ones where HA allows', () => {
    for (const node of input.nodes) {
      const report = computeDrain(input, plan, node);
      for (const v of report.vms) {
        const p = plan.vms.find((x) => x.vmid === v.vmid)!;
        const at = `drain ${node}: VM ${v.vmid}`;
        expect(v.liveTargets, at).toEqual(p.liveTargets);
        const apartNodes = new Set((p.apart ?? []).map((sid) => input.vms.find((x) => `vm:${x.vmid}` === sid)?.node));
        for (const c of [...v.commands, ...v.fixes.flatMap((f) => f.commands)]) {
          const m = /^qm migrate \d+ (\S+)( --online)?$/.exec(c);
          if (!m) continue;
          if (m[2]) expect(p.liveTargets, `${at}: ${c}`).toContain(m[1]);
          expect(apartNodes.has(m[1]), `${at}: ${c} goes to a keep-apart partner's node`).toBe(false);
        }
        if (p.lock)
          expect({ status: v.status, commands: v.commands, fixes: v.fixes }, at).toEqual({
            status: 'stuck',
            commands: [],
            fixes: [],
          });
      }
      const want = CASE_DRAIN[node];
      if (!want) continue;
      expect(
        report.vms.map((v) => String(v.vmid)),
        `drain ${node}`,
      ).toEqual(Object.keys(want));
      for (const [id, w] of Object.entries(want)) {
        const v = report.vms.find((x) => x.vmid === Number(id))!;
        const at = `drain ${node}: VM ${id}`;
        const { notes, ...exact } = w;
        expect(v, at).toMatchObject(exact);
        expect(v.template, at).toBe(w.template);
        expect(v.lock, at).toBe(w.lock);
        expectInOrder(v.notes, notes ?? []);
      }
    }
  });

  it('plan --ha-rules: guards only with nodes the placement solver calls CPU-safe, in rules Proxmox keeps', () => {
    const read = (f: string) =>
      existsSync(join(etcPve, 'ha', f)) ? readFileSync(join(etcPve, 'ha', f), 'utf8') : null;
    const files = { rules: read('rules.cfg'), groups: read('groups.cfg'), resources: read('resources.cfg') };
    const g = computeGuardrails({ cluster: input, hosts: input.hosts, files });
    const solver = new TargetSolver(targetInputs(input));
    const known = new Set(input.hosts.map((h) => h.name));
    for (const v of g.vms) {
      const vm = input.vms.find((x) => x.vmid === v.vmid)!;
      const at = `VM ${v.vmid}`;
      // The guardrails read HA's placement as plan does: the same nodes before anything is written
      expect(v.allowedBefore, `${at}: allowed before`).toEqual(plan.vms.find((x) => x.vmid === v.vmid)!.domain);
      if (plan.vms.find((x) => x.vmid === v.vmid)!.template) {
        expect(v.status, at).toBe('template');
        continue;
      }
      if (v.status !== 'guarded' && v.status !== 'already-safe') continue;
      for (const n of v.allowedAfter.filter((x) => x !== vm.node)) {
        expect(known.has(n) && known.has(vm.node), `${at}: ${n} has no host data, yet is allowed`).toBe(true);
        expect(solver.moveReasons(vm, vm.node, n), `${at} -> ${n}`).toEqual([]);
        expect(solver.moveReasons(vm, n, vm.node), `${at} <- ${n}`).toEqual([]);
      }
    }
    // What was written passes pve-ha-manager's own checks (replayed): no rule of ours is dropped
    const after = (name: string) =>
      g.files.find((f) => f.name === name)?.after ?? files[name.replace('.cfg', '') as keyof typeof files] ?? '';
    const warnings: string[] = [];
    const rules = parseRules(after('rules.cfg'), warnings);
    migrateGroupsToRules(
      rules,
      parseGroups(after('groups.cfg'), warnings),
      parseResources(after('resources.cfg'), warnings),
    );
    const dropped = Object.keys(checkFeasibility(rules, input.nodes));
    expect(dropped.filter((id) => /migratable-cpu-/.test(id))).toEqual([]);
  });

  it.runIf(want.drainAfter)('drain --after: a template, which never starts, is never stranded', () => {
    const w = want.drainAfter!;
    const planned = readProfileInputs([join(fixturesDir, w.everyNode)])[0];
    for (const id of w.doesNotStart) {
      const vm = input.vms.find((v) => v.vmid === id)!;
      expect(checkCell(currentCpu(vm, input.customModels), planned).ok, `VM ${id} on ${w.everyNode}`).toBe(false);
    }
    const report = computeDrain(input, plan, w.node, { after: [planned], everyNode: true });
    expect(report.after!.stranded.map((s) => s.vmid)).toEqual(w.stranded);
  });
});

describe('the precondition shape', () => {
  it('keep-apart partners and nodes outside the domain are blocking HA resources, as Proxmox reports them', () => {
    const hosts = readProfileInputs([hostsDir('pve9-resource-affinity-negative')]);
    const input = { ...readEtcPve(join(root, 'pve9-resource-affinity-negative/etc-pve')), hosts };
    const { targets } = planWithTargets(input);
    const p = preconditionJson(
      targets.find((t) => t.vmid === 102)!,
      input.nodes,
    );
    expect(p.allowed_nodes).toEqual(['pve1', 'pve2']);
    expect(p.not_allowed_nodes.pve4['blocking-ha-resources']).toEqual([{ sid: 'vm:104', cause: 'resource-affinity' }]);
    expect(p['dependent-ha-resources']).toEqual(['vm:103']);
    expect(p).not.toHaveProperty('running'); // a config copy does not say

    const strict = { ...readEtcPve(join(root, 'pve9-node-affinity-strict/etc-pve')), hosts };
    const s = preconditionJson(
      planWithTargets(strict).targets.find((t) => t.vmid === 100)!,
      strict.nodes,
    );
    expect(s.allowed_nodes).toEqual(['pve2']);
    for (const node of ['pve3', 'pve4'])
      expect(s.not_allowed_nodes[node]).toEqual({
        'blocking-ha-resources': [{ sid: 'vm:100', cause: 'node-affinity' }],
        reasons: [expect.stringMatching(/outside its migration domain: HA rule 'intel-pair' \(strict\)/)],
      });
  });
});

describe('what the plan could not use is named in every format', () => {
  let hosts: string;
  beforeAll(() => {
    hosts = hostsDir('pve9-unknown-sections');
  });
  const etcPve = join(root, 'pve9-unknown-sections/etc-pve');
  const skipped = /location-affinity rule 'future-rule' is skipped/;
  it.each(['text', 'markdown', 'json'])('%s', (format) => {
    const r = cli(['plan', hosts, '--pve-config', etcPve, '--format', format]);
    expect(r.code, r.stderr).toBe(0);
    if (format === 'json') expect((JSON.parse(r.stdout) as { notes: string[] }).notes.join('\n')).toMatch(skipped);
    else expect(r.stdout).toMatch(skipped);
  });
});

describe('guardrails over a negative node-affinity rule', () => {
  it('narrows it into the positive rule over the CPU-safe nodes it allowed, never the nodes it avoided', () => {
    const name = 'pve9-node-affinity-negative';
    const dir = mkdtempSync(join(tmpdir(), 'sem-negative-guard-'));
    cpSync(join(root, name, 'etc-pve'), dir, { recursive: true });
    // cpu: host on a Broadwell node runs live only on the other Broadwell node (pve4)
    for (const id of [100, 102]) {
      const f = join(dir, `nodes/pve1/qemu-server/${id}.conf`);
      writeFileSync(f, readFileSync(f, 'utf8').replace(/^cpu: .*$/m, 'cpu: host'));
    }
    const rules = readFileSync(join(dir, 'ha/rules.cfg'), 'utf8');
    const input = { ...readEtcPve(dir), hosts: readProfileInputs([hostsDir(name)]) };
    const g = computeGuardrails({
      cluster: input,
      hosts: input.hosts,
      files: { rules, groups: null, resources: readFileSync(join(dir, 'ha/resources.cfg'), 'utf8') },
    });
    for (const vmid of [100, 102])
      expect(g.vms.find((v) => v.vmid === vmid)).toMatchObject({
        allowedBefore: ['pve1', 'pve2', 'pve4'],
        allowedAfter: ['pve1', 'pve4'],
        status: 'guarded',
        holder: 'avoid-amd',
      });
    const after = g.files.find((f) => f.name === 'rules.cfg')!.after;
    expect(after).toMatch(/^node-affinity: avoid-amd\n\tnodes pve1,pve4\n\tresources vm:100,vm:102\n\tstrict 1\n/m);
    // the soft rule of VM 101 is left exactly as written, affinity included
    expect(after).toContain('node-affinity: avoid-amd-soft\n\tnodes pve3\n\tresources vm:101\n\taffinity negative\n');
    // Proxmox 5.2.0's parser (replayed) reads the narrowed rule as written: only the Broadwell nodes
    const warnings: string[] = [];
    const parsed = parseRules(after.replace(/\n\taffinity negative\n/g, '\n'), warnings);
    expect(Object.keys(compileNodeAffinity(parsed, input.nodes)['vm:100'].nodes).sort()).toEqual(['pve1', 'pve4']);
  });
});
