import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../src/catalog/index.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { computePlan } from '../src/proxmox/plan/plan.js';
import type { Plan, PlanInput } from '../src/proxmox/plan/types.js';
import { loadHosts } from '../src/cli/inputs.js';
import { loadPlanInput } from '../src/proxmox/plan/inputs.js';
import { readProfileInputs } from '../src/sources/files.js';
import { clusterApiDir, clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { startPveReplay, type PveReplay } from './helpers/pve-replay.js';
import { replayPlan } from './helpers/plan-replay.js';

const hostsDir = clusterHostsDir();
const fromCopy = (dir: string): PlanInput => ({ ...readEtcPve(dir), hosts: readProfileInputs([hostsDir]) });

/** The issue's acceptance, asserted as properties: the feature lists move with the KVM facts. */
function expectIssueOutcome(plan: Plan, intelDomainSource: RegExp) {
  const intel = plan.domains.find((d) => d.nodes.join() === 'pve1,pve2')!;
  const cluster = plan.domains.find((d) => d.nodes.join() === 'pve1,pve2,pve3')!;
  expect(intel.source).toMatch(intelDomainSource);
  expect(resolveModel(intel.baseline.base)!.vendor).toBe('GenuineIntel');
  expect(intel.baseline.base).not.toMatch(/^(kvm|qemu)64/);
  expect(resolveModel(cluster.baseline.base)!.vendor).toBeNull();
  expect(cluster.model.cpu).toMatch(/-kvm-pv-unhalt/);

  const host = plan.vms.find((v) => v.vmid === 101)!;
  expect(host.domain).toEqual(['pve1', 'pve2']);
  expect(host.current).toMatch(/^host\b/);
  expect(host.liveTargets).toEqual([]);
  expect(host.blocked.map((b) => b.node)).toEqual(['pve2']);
  expect(host.action).toBe('change-model');
  expect(host.commands).toContain(`qm set 101 --cpu custom-${intel.model.name}`);

  const dflt = plan.vms.find((v) => v.vmid === 102)!;
  expect(dflt.node).toBe('pve3');
  expect(dflt.domain).toEqual(['pve1', 'pve2', 'pve3']);
  expect(dflt.current).toMatch(/^kvm64,.*\+kvm-pv-unhalt/);
  expect(dflt.liveTargets.filter((n) => n !== 'pve3')).toEqual([]);
  for (const node of ['pve1', 'pve2'])
    expect(dflt.blocked.find((b) => b.node === node)?.reasons.join(' ')).toMatch(/kvm-pv-unhalt/);
  expect(dflt.action).toBe('change-model');
  expect(dflt.commands).toContain(`qm set 102 --cpu custom-${cluster.model.name}`);

  // x86-64-v2-AES fits both Intel nodes: nothing to change
  const v2 = plan.vms.find((v) => v.vmid === 103)!;
  expect(v2.liveTargets).toEqual(['pve1']);
  expect(v2.action).toBe('keep');
  expect(v2.commands).toEqual([]);
}

describe('plan from a copy of /etc/pve', () => {
  it('Proxmox 9: an HA node-affinity rule keeps the cpu: host VM on the Intel nodes', () => {
    expectIssueOutcome(computePlan(fromCopy(etcPveCopy('pve9'))), /HA rule 'intel-only' \(strict\)/);
  });

  it('Proxmox 8: the same from a restricted HA group', () => {
    expectIssueOutcome(computePlan(fromCopy(etcPveCopy('pve8'))), /HA group 'intel' \(restricted\)/);
  });

  it('a non-strict rule only prefers nodes: the VM may land anywhere, so its domain is every node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-nonstrict-'));
    cpSync(etcPveCopy('pve9'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'ha/rules.cfg'),
      'node-affinity: intel-only\n\tnodes pve1:2,pve2\n\tresources vm:101,vm:103\n\n',
    );
    const plan = computePlan(fromCopy(dir));
    const vm = plan.vms.find((v) => v.vmid === 101)!;
    expect(vm.domain).toEqual(['pve1', 'pve2', 'pve3']);
    expect(plan.domains.map((d) => d.source).join()).toMatch(/non-strict: prefers pve1, pve2/);
  });

  it('refuses a cluster whose nodes lack host data, naming the node', () => {
    const input = fromCopy(etcPveCopy('pve9'));
    expect(() => computePlan({ ...input, hosts: input.hosts.filter((h) => h.name !== 'pve3') })).toThrow(
      /no host data for node\(s\) pve3/,
    );
  });
});

describe('plan from a replayed Proxmox VE 9.1 API', () => {
  const SECRET = '0b7e3c1a-4d2f-4e8b-9c6a-5f1e2d3c4b5a';
  const TOKEN = `root@pam!plan=${SECRET}`;
  let srv: PveReplay;
  beforeAll(async () => {
    srv = await startPveReplay({ version: '9.2', dir: clusterApiDir, token: TOKEN });
  });
  afterAll(async () => srv?.close());

  it('gives the same plan, with the host data and running state from the API', async () => {
    const input = await loadPlanInput(
      [],
      {
        pveConfig: '/nonexistent',
        pve: `https://127.0.0.1:${srv.port}`,
        token: TOKEN,
        fingerprint: srv.fingerprint,
      },
      loadHosts,
    );
    expect(input.hosts.map((h) => h.name).sort()).toEqual(['pve1', 'pve2', 'pve3']);
    const plan = computePlan(input);
    expectIssueOutcome(plan, /HA rule 'intel-only' \(strict\)/);
    // 103 is stopped in the API's answer, 101 runs: only the running one needs a restart
    expect(plan.vms.find((v) => v.vmid === 101)!.needsRestart).toBe(true);
    expect(plan.vms.find((v) => v.vmid === 103)!.running).toBe(false);
    expect(srv.requests.some((r) => r.path === '/cluster/ha/rules')).toBe(true);
  });
});

describe('the rollout order, replayed step by step', () => {
  it('keeps every running VM its targets after every step and ends with the whole domain reachable', () => {
    const input = fromCopy(etcPveCopy('pve9'));
    const plan = computePlan(input);
    const trace = replayPlan(input, plan);
    expect(trace.violations).toEqual([]);
    expect(trace.steps).toBe(plan.steps.length);
    for (const v of plan.vms.filter((v) => v.action === 'change-model'))
      expect(trace.finalTargets.get(v.vmid)).toEqual(v.domain.filter((n) => n !== v.node));
  });

  it('never rewrites a section a running VM uses; doing so would break the replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-taken-'));
    cpSync(etcPveCopy('pve9'), dir, { recursive: true });
    // VM 104 runs an older model under the name the cluster domain would get
    mkdirSync(join(dir, 'virtual-guest'));
    writeFileSync(
      join(dir, 'virtual-guest/cpu-models.conf'),
      'cpu-model: migratable-cluster\n\tflags -kvm_pv_unhalt;+aes\n\treported-model kvm64\n\n',
    );
    writeFileSync(
      join(dir, 'nodes/pve1/qemu-server/104.conf'),
      'name: old1\ncores: 1\ncpu: custom-migratable-cluster\n',
    );
    const input = fromCopy(dir);
    const plan = computePlan(input);
    const cluster = plan.domains.find((d) => d.nodes.length === 3)!;
    expect(cluster.model.name).toBe('migratable-cluster-2');
    expect(replayPlan(input, plan).violations).toEqual([]);
    // The same plan with the taken name: VM 104 would migrate to a CPU it did not boot with
    const naive = JSON.parse(JSON.stringify(plan).replaceAll('migratable-cluster-2', 'migratable-cluster')) as Plan;
    naive.domains.forEach((d, i) => (d.section = { ...plan.domains[i].section, name: d.model.name }));
    expect(replayPlan(input, naive).violations.join('\n')).toMatch(/104/);
  });
});
