/**
 * plan --ha-rules and apply-ha: the written HA config parses and passes pve-ha-manager's own rule
 * checks (replayed from its sources: helpers/pve-ha-rules-replay.ts), never widens the admin's
 * placement, and HA never offers a VM a node where `check` refuses it, with every node up or any
 * single node failed. The applier takes Proxmox's HA domain lock and refuses a stale merge.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkMatrix } from '../src/engine/check.js';
import { migrationBlockers } from '../src/engine/migration.js';
import { BusyError } from '../src/errors.js';
import { applyHaConfig } from '../src/proxmox/apply/ha-config.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { computeGuardrails } from '../src/proxmox/ha/guardrails.js';
import { computePlan } from '../src/proxmox/plan/plan.js';
import { currentCpu } from '../src/proxmox/plan/targets.js';
import { readProfileInputs } from '../src/sources/files.js';
import { cliAsync as cli } from './helpers/cli.js';
import { clusterFixtureDir, clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import {
  checkFeasibility,
  compileNodeAffinity,
  getNodeAffinity,
  migrateGroupsToRules,
  parseGroups,
  parseResources,
  parseRules,
  type Rules,
} from './helpers/pve-ha-rules-replay.js';

const hostsDir = clusterHostsDir();
const hosts = readProfileInputs([hostsDir]);
const hostOf = new Map(hosts.map((h) => [h.name, h]));
const FIXTURES = {
  pve9: etcPveCopy('pve9'),
  pve8: etcPveCopy('pve8'),
  'pve9-ha': join(clusterFixtureDir, 'pve9-ha/etc-pve'),
};

const read = (dir: string, f: string) =>
  existsSync(join(dir, 'ha', f)) ? readFileSync(join(dir, 'ha', f), 'utf8') : '';

/** The HA config as the CRM compiles it (Config.pm read_and_compile_rules_config), failing on any parse warning. */
function haAsPveSeesIt(dir: string, nodes: string[]): { rules: Rules; errors: Record<string, string[]> } {
  const warnings: string[] = [];
  const rules = parseRules(read(dir, 'rules.cfg'), warnings);
  migrateGroupsToRules(
    rules,
    parseGroups(read(dir, 'groups.cfg'), warnings),
    parseResources(read(dir, 'resources.cfg'), warnings),
  );
  expect(warnings).toEqual([]);
  return { rules, errors: checkFeasibility(rules, nodes) };
}

async function guard(name: keyof typeof FIXTURES) {
  const dir = mkdtempSync(join(tmpdir(), `guard-${name}-`));
  cpSync(FIXTURES[name], dir, { recursive: true });
  const out = join(dir, '..', `${name}-${Math.random().toString(36).slice(2)}-ha`);
  const plan = await cli(['plan', hostsDir, '--pve-config', dir, '--ha-rules', out, '--format', 'json']);
  expect(plan.code, plan.stderr).toBe(0);
  const { guardrails } = JSON.parse(plan.stdout);
  const before = { dir: FIXTURES[name] };
  const dry = await cli(['apply-ha', out, '--pve-config', dir, '--dry-run']);
  expect(dry.code).toBe(0);
  expect(read(dir, 'rules.cfg')).toBe(read(before.dir, 'rules.cfg')); // dry run: nothing written
  const r = await cli(['apply-ha', out, '--pve-config', dir]);
  expect(r.code, r.stderr).toBe(0);
  return { dir, before: before.dir, out, guardrails, dry: dry.stdout };
}

describe.each(Object.keys(FIXTURES) as Array<keyof typeof FIXTURES>)('HA guardrails on %s', (name) => {
  let g: Awaited<ReturnType<typeof guard>>;
  let cluster: ReturnType<typeof readEtcPve>;
  let nodes: string[];
  beforeAll(async () => {
    g = await guard(name);
    cluster = readEtcPve(g.dir);
    nodes = cluster.nodes;
  }, 60_000);

  it("parses and passes pve-ha-manager's own rule checks (its own rules included)", async () => {
    expect(haAsPveSeesIt(g.before, nodes).errors).toEqual({}); // the fixture is valid to begin with
    expect(haAsPveSeesIt(g.dir, nodes).errors).toEqual({});
  });

  it('never widens where HA may run a VM', async () => {
    const before = compileNodeAffinity(haAsPveSeesIt(g.before, nodes).rules, nodes);
    const after = compileNodeAffinity(haAsPveSeesIt(g.dir, nodes).rules, nodes);
    for (const vm of cluster.vms) {
      const sid = `vm:${vm.vmid}`;
      const was = getNodeAffinity(before, sid, nodes).allowed;
      for (const n of getNodeAffinity(after, sid, nodes).allowed) expect(was, `${sid} on ${n}`).toContain(n);
    }
  });

  it('HA never offers a node where check refuses the VM, with all nodes up or any one failed', async () => {
    const compiled = compileNodeAffinity(haAsPveSeesIt(g.dir, nodes).rules, nodes);
    const managed = Object.keys(parseResources(read(g.dir, 'resources.cfg')));
    for (const vm of cluster.vms.filter((v) => managed.includes(`vm:${v.vmid}`))) {
      const cpu = currentCpu(vm, cluster.customModels);
      const status = g.guardrails.vms.find((v: { sid: string }) => v.sid === `vm:${vm.vmid}`).status;
      for (const failed of [null, ...nodes]) {
        const online = nodes.filter((n) => n !== failed);
        const { allowed } = getNodeAffinity(compiled, `vm:${vm.vmid}`, online);
        for (const n of allowed) {
          const cell = checkMatrix([cpu], [hostOf.get(n)!]).cells[0];
          expect(
            cell.ok,
            `VM ${vm.vmid} offered ${n} with ${failed ?? 'no node'} down: ${JSON.stringify(cell.missing)}`,
          ).toBe(true);
        }
        if (!['guarded', 'already-safe', 'runs-everywhere'].includes(status)) continue;
        // Guarded: every move HA may make among the allowed nodes is one the migration rules let through
        for (const a of allowed)
          for (const b of allowed)
            if (a !== b)
              expect(
                migrationBlockers({ vm: cpu, source: hostOf.get(a)!, target: hostOf.get(b)! }),
                `VM ${vm.vmid}: ${a} -> ${b} with ${failed ?? 'no node'} down`,
              ).toEqual([]);
      }
    }
  });

  it('targets on the guarded cluster offers only nodes check accepts, within the guard', async () => {
    const plan = computePlan({ ...cluster, hosts });
    for (const v of plan.vms) {
      const vm = cluster.vms.find((x) => x.vmid === v.vmid)!;
      const cpu = currentCpu(vm, cluster.customModels);
      for (const n of v.liveTargets) expect(checkMatrix([cpu], [hostOf.get(n)!]).cells[0].ok).toBe(true);
      const gv = g.guardrails.vms.find((x: { sid: string }) => x.sid === `vm:${v.vmid}`);
      if (gv?.status === 'guarded') expect(v.domain).toEqual(gv.allowedAfter);
    }
  });

  it('a second run changes nothing', async () => {
    const again = join(g.dir, '..', `again-${Math.random().toString(36).slice(2)}`);
    const r = await cli(['plan', hostsDir, '--pve-config', g.dir, '--ha-rules', again]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already keeps every VM on nodes where its CPU runs: nothing to write/);
    expect(JSON.parse(readFileSync(join(again, 'ha-guardrails.json'), 'utf8')).files).toEqual([]);
  });
});

describe('what the guardrails do with the admin rules', async () => {
  it('Proxmox 9: the cpu: host VM leaves the wider rule for one of its own that remembers it', async () => {
    const { dir, guardrails, dry } = await guard('pve9');
    expect(dry).toMatch(/^-\tresources vm:101,vm:103$/m);
    const rules = read(dir, 'rules.cfg');
    expect(rules).toMatch(/^node-affinity: intel-only\n\tnodes pve1:2,pve2\n\tresources vm:103\n\tstrict 1\n/m);
    expect(rules).toMatch(
      /^node-affinity: migratable-cpu-1\n\tcomment .*origin=rule\/intel-only\/strict\/pve1%3A2,pve2\n\tnodes pve1\n\tresources vm:101\n\tstrict 1\n/m,
    );
    const v101 = guardrails.vms.find((v: { sid: string }) => v.sid === 'vm:101');
    expect(v101).toMatchObject({ status: 'guarded', allowedBefore: ['pve1', 'pve2'], allowedAfter: ['pve1'] });
    expect(v101.notes.join(' ')).toMatch(/only pve1 runs its CPU/);
  });

  it('Proxmox 8: a group of its own and the resource moved to it', async () => {
    const { dir } = await guard('pve8');
    expect(read(dir, 'groups.cfg')).toMatch(
      /^group: migratable-cpu-1\n\tcomment .*origin=group\/intel\/restricted\/pve1:2,pve2\n\tnodes pve1\n\tnofailback 0\n\trestricted 1\n/m,
    );
    expect(read(dir, 'resources.cfg')).toMatch(/^vm: 101\n\tgroup migratable-cpu-1\n/m);
    expect(read(dir, 'resources.cfg')).toMatch(/^vm: 103\n\tgroup intel\n/m);
  });

  it('narrows a non-strict rule in place, guards a keep-together pair as one, withholds what would break keep-apart', async () => {
    const { dir, guardrails } = await guard('pve9-ha');
    const rules = read(dir, 'rules.cfg');
    expect(rules).toMatch(
      /^node-affinity: prefer-amd\n\tcomment app2 prefers the AMD node\n\tnodes pve1,pve2\n\tresources vm:105\n\tstrict 1\n/m,
    );
    expect(rules).toMatch(
      /^node-affinity: migratable-cpu-1\n.*\n\tnodes pve1,pve2\n\tresources vm:106,vm:107\n\tstrict 1\n/m,
    );
    const by = (sid: string) => guardrails.vms.find((v: { sid: string }) => v.sid === sid);
    expect(by('vm:105').notes.join(' ')).toMatch(/rule 'prefer-amd' preferred pve3, where its CPU does not run/);
    for (const sid of ['vm:101', 'vm:108']) {
      expect(by(sid).status).toBe('withheld');
      expect(by(sid).notes.join(' ')).toMatch(/keep-apart rule 'db-apart' unsatisfiable/);
    }
    expect(by('vm:104').status).toBe('runs-everywhere');
  });

  it.each(['pve9', 'pve8'] as const)(
    '%s: once its CPU runs on the whole admin placement, a VM goes back there and our rule or group goes',
    async (name) => {
      const { dir } = await guard(name);
      const conf = join(dir, 'nodes/pve1/qemu-server/101.conf');
      writeFileSync(conf, readFileSync(conf, 'utf8').replace('cpu: host\n', 'cpu: x86-64-v2-AES\n'));
      const out = join(dir, '..', `back-${Math.random().toString(36).slice(2)}`);
      const plan = await cli(['plan', hostsDir, '--pve-config', dir, '--ha-rules', out]);
      expect(plan.code, plan.stderr).toBe(0);
      expect((await cli(['apply-ha', out, '--pve-config', dir])).code).toBe(0);
      const original = FIXTURES[name];
      for (const f of ['rules.cfg', 'groups.cfg', 'resources.cfg']) expect(read(dir, f), f).toBe(read(original, f));
    },
  );

  it('leaves alone what Proxmox already drops, and an admin rule that allows no node where the CPU runs', async () => {
    const base = FIXTURES['pve9-ha'];
    const files = { rules: read(base, 'rules.cfg'), groups: null, resources: read(base, 'resources.cfg') };
    const cluster = readEtcPve(base);
    // Two priorities on a rule whose VMs are in resource-affinity rules: PVE drops it and its partners
    const broken = files.rules.replace('nodes pve1,pve2\n', 'nodes pve1:2,pve2\n');
    const g = computeGuardrails({ cluster, hosts, files: { ...files, rules: broken } });
    expect(g.notes.join('\n')).toMatch(/HA rule 'intel-only' is dropped by Proxmox as it is \(several priorities/);
    const v101 = g.vms.find((v) => v.sid === 'vm:101')!;
    expect(v101.status).toBe('withheld');
    expect(v101.notes.join(' ')).toMatch(/rule 'intel-only' is dropped by Proxmox .*: fix that first/);
    const after = g.files.find((f) => f.name === 'rules.cfg')?.after ?? broken;
    const errors = (text: string) => Object.keys(checkFeasibility(parseRules(text), cluster.nodes)).sort();
    for (const id of errors(after)) expect(errors(broken)).toContain(id); // nothing new dropped
    // Strict to the AMD node only: the VM's CPU does not run there, so the rule is left as it is
    const amdOnly = files.rules.replace(
      'nodes pve3\n\tresources vm:105\n\tstrict 0',
      'nodes pve3\n\tresources vm:105\n\tstrict 1',
    );
    const c = computeGuardrails({ cluster, hosts, files: { ...files, rules: amdOnly } });
    const v105 = c.vms.find((v) => v.sid === 'vm:105')!;
    expect(v105).toMatchObject({ status: 'conflict', allowedAfter: ['pve3'] });
    expect(v105.notes.join(' ')).toMatch(/rule 'prefer-amd' allows only pve3, where its CPU does not run/);
  });

  it('the replay catches what Proxmox drops: two node-affinity rules for one VM, a keep-apart pair on one node', async () => {
    const two = parseRules(
      'node-affinity: ra\n\tnodes pve1\n\tresources vm:101\n\nnode-affinity: rb\n\tnodes pve2\n\tresources vm:101\n',
    );
    expect(Object.keys(checkFeasibility(two, ['pve1', 'pve2', 'pve3']))).toEqual(['ra', 'rb']);
    const apart = parseRules(
      'node-affinity: ra\n\tnodes pve1\n\tresources vm:101,vm:108\n\tstrict 1\n\nresource-affinity: rn\n\taffinity negative\n\tresources vm:101,vm:108\n',
    );
    expect(Object.keys(checkFeasibility(apart, ['pve1', 'pve2'])).sort()).toEqual(['ra', 'rn']);
  });
});

describe('apply-ha', async () => {
  it("takes pmxcfs's HA domain lock under /etc/pve: a held lock means exit 3 and nothing written", async () => {
    const root = mkdtempSync(join(tmpdir(), 'pve-root-'));
    cpSync(FIXTURES.pve9, root, { recursive: true });
    const out = join(root, '..', `lock-${Math.random().toString(36).slice(2)}`);
    expect((await cli(['plan', hostsDir, '--pve-config', root, '--ha-rules', out])).code).toBe(0);
    mkdirSync(join(root, 'priv/lock/domain-ha'), { recursive: true });
    const before = read(root, 'rules.cfg');
    await expect(applyHaConfig({ dir: out, pveConfig: root, pveRoot: root, timeoutMs: 300 })).rejects.toBeInstanceOf(
      BusyError,
    );
    expect(read(root, 'rules.cfg')).toBe(before);
    expect(existsSync(join(root, 'ha/rules.cfg.bak'))).toBe(false);
  });

  it('refuses a merge made from rules that changed since (exit 3), and an edited output (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stale-'));
    cpSync(FIXTURES.pve9, dir, { recursive: true });
    const out = join(dir, '..', `stale-${Math.random().toString(36).slice(2)}`);
    expect((await cli(['plan', hostsDir, '--pve-config', dir, '--ha-rules', out])).code).toBe(0);
    writeFileSync(
      join(dir, 'ha/rules.cfg'),
      `${read(dir, 'rules.cfg')}node-affinity: mine\n\tnodes pve3\n\tresources vm:999\n`,
    );
    const stale = await cli(['apply-ha', out, '--pve-config', dir]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/changed since `plan --ha-rules` read it/);
    writeFileSync(join(out, 'rules.cfg'), 'edited\n');
    expect((await cli(['apply-ha', out, '--pve-config', dir])).code).toBe(2);
  });
});
