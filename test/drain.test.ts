/**
 * migratable drain NODE: a node whose VMs all move; one whose cpu: host VM cannot (named, with the
 * least change that frees it); and --after planned host data: a microcode update that removes TSX
 * from one node strands exactly the VMs whose CPU uses hle/rtm, and the model to roll out first runs
 * on every node now and as planned.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMatrix } from '../src/engine/check.js';
import { parseCpuModels } from '../src/formats/pve-cpu-models.js';
import { parseVmConfig } from '../src/formats/pve-vm-config.js';
import {
  qmMigrateCommand,
  qmRebootCommand,
  qmSetCpuCommand,
  qmShutdownCommand,
  qmStartCommand,
} from '../src/proxmox/commands.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { currentCpu } from '../src/proxmox/plan/targets.js';
import { readProfileInputs } from '../src/sources/files.js';
import { vmFromPveConfig } from '../src/sources/vm/pve.js';
import { cliAsync as cli } from './helpers/cli.js';
import { clusterFixtureDir, clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';

const hostsDir = clusterHostsDir();
const haCluster = join(clusterFixtureDir, 'pve9-ha/etc-pve');
/**
 * The same cluster with app2 (105) on the AMD node it prefers: then its keep-apart partner app1 (103,
 * strict to pve1/pve2) may go to pve1, and every VM of pve2 can move.
 */
function haClusterBalanced(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'drain-balanced-')), 'etc-pve');
  cpSync(haCluster, dir, { recursive: true });
  mkdirSync(join(dir, 'nodes/pve3/qemu-server'), { recursive: true });
  renameSync(join(dir, 'nodes/pve1/qemu-server/105.conf'), join(dir, 'nodes/pve3/qemu-server/105.conf'));
  return dir;
}
const RUNNING = ['--running', '101,103,104,105,106,107,108,110,111'];
const drain = async (node: string, dir: string, ...more: string[]) => {
  const r = await cli(['drain', node, hostsDir, '--pve-config', dir, ...RUNNING, '--format', 'json', ...more]);
  return { ...r, json: r.stdout ? JSON.parse(r.stdout) : null };
};

/** pve1's dump after a microcode update that turns TSX off (TAA mitigation): hle and rtm gone. */
function pve1WithoutTsx(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drain-after-'));
  const text = readFileSync(join(hostsDir, 'pve1.cpuinfo'), 'utf8')
    .replace(/^(flags\s*:.*)$/gm, (l) => l.replace(/ (hle|rtm)(?= |$)/g, ''))
    .replace(/^microcode\s*:.*$/gm, 'microcode\t: 0xb000040');
  expect(text).not.toMatch(/\b(hle|rtm)\b/);
  writeFileSync(join(dir, 'pve1.cpuinfo'), text);
  return join(dir, 'pve1.cpuinfo');
}

describe('drain NODE', async () => {
  it('a node whose VMs all move: each with its live target and migrate line, a bundle as one, exit 0', async () => {
    const r = await drain('pve2', haClusterBalanced());
    expect(r.code).toBe(0);
    expect(r.json.vms.map((v: { vmid: number }) => v.vmid)).toEqual([103, 106, 107]);
    const [v103, v106, v107] = r.json.vms;
    for (const v of r.json.vms) expect(v.status).toBe('live');
    for (const v of [v103, v106]) expect(v.commands).toEqual([qmMigrateCommand(v.vmid, v.liveTargets[0], true)]);
    // 106 and 107 are kept together (api-pair): HA moves 107 with 106, to a node both can go to live
    expect(v106.together).toEqual(['vm:107']);
    expect(v107).toMatchObject({ together: ['vm:106'], commands: [], liveTargets: v106.liveTargets });
    expect(v107.notes.join(' ')).toMatch(/moves with vm:106 to pve1 \(keep-together\)/);
    // 106 is HA-managed without a rule: maintenance mode may also pick the AMD node it cannot go to live
    expect(v106.notes.join(' ')).toMatch(/may pick pve3 too/);
  });

  it('never proposes a node a keep-apart partner occupies', async () => {
    // app1 (103) may only run on pve1 and pve2, and its keep-apart partner app2 (105) is on pve1
    const r = await drain('pve2', haCluster);
    expect(r.code).toBe(1);
    const v103 = r.json.vms.find((v: { vmid: number }) => v.vmid === 103);
    expect(v103).toMatchObject({ status: 'stuck', liveTargets: [], apart: ['vm:105'], commands: [], fixes: [] });
    expect(v103.blocked).toEqual([
      {
        node: 'pve1',
        reasons: ['vm:105 is on this node, and HA keeps it apart from this VM (resource-affinity)'],
        ha: [{ sid: 'vm:105', cause: 'resource-affinity' }],
      },
    ]);
  });

  it('a cpu: host VM that cannot move: named, with the least change that frees it, exit 1', async () => {
    const r = await drain('pve1', etcPveCopy('pve9'));
    expect(r.code).toBe(1);
    const [v] = r.json.vms;
    expect(v).toMatchObject({ vmid: 101, name: 'db1', status: 'stuck', liveTargets: [] });
    expect(v.blocked[0].reasons.join(' ')).toMatch(/cpu host copies pve1's CPU/);
    expect(v.fixes[0]).toEqual({
      kind: 'cold-move',
      to: ['pve2'],
      commands: [qmShutdownCommand(101), qmMigrateCommand(101, 'pve2', false), qmStartCommand(101)],
    });
    expect(v.fixes[1]).toMatchObject({
      kind: 'model-change',
      model: 'migratable-intel-only',
      liveTargetsAfter: ['pve2'],
    });
    expect(v.fixes[1].commands).toContain(qmSetCpuCommand(101, 'migratable-intel-only'));
    const text = (await cli(['drain', 'pve1', hostsDir, '--pve-config', etcPveCopy('pve9')])).stdout;
    expect(text).toMatch(
      /VM 101 \(db1\) \[HA\]: CANNOT MOVE LIVE[\s\S]*least change: cold move to pve2: qm shutdown 101 && qm migrate 101 pve2 && qm start 101/,
    );
  });

  it('refuses a node that is not in the cluster', async () => {
    const r = await cli(['drain', 'pve9', hostsDir, '--pve-config', haCluster]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"pve9" is not a node of the cluster \(pve1, pve2, pve3\)/);
  });
});

describe('drain NODE --after HOSTDATA', async () => {
  const after = pve1WithoutTsx();

  it('a microcode update that removes TSX from pve1 strands exactly the VMs that use hle/rtm', async () => {
    const models = mkdtempSync(join(tmpdir(), 'drain-models-'));
    const r = await drain('pve1', haCluster, '--after', after, '--write-models', models);
    expect(r.code).toBe(1);
    const cluster = readEtcPve(haCluster);
    const usesTsx = cluster.vms
      .filter((vm) => currentCpu(vm, cluster.customModels).features.some((f) => f === 'hle' || f === 'rtm'))
      .map((vm) => vm.vmid);
    expect(usesTsx).toEqual([110, 111]);
    expect(r.json.after.replaced).toEqual(['pve1']);
    expect(r.json.after.stranded.map((s: { vmid: number }) => s.vmid)).toEqual(usesTsx);
    for (const s of r.json.after.stranded) {
      expect(s.loses).toEqual([{ node: 'pve1', missing: ['hle', 'rtm'] }]);
      expect(s.severity).toBe('nowhere'); // pve2 (Haswell without TSX) and pve3 (AMD) never ran them
    }

    // The model to roll out first runs on every node of their domain, now and as planned
    const [model] = r.json.after.rollout.models;
    expect(model.nodes).toEqual(['pve1', 'pve2', 'pve3']);
    const section = parseCpuModels(readFileSync(join(models, `${model.name}.conf`), 'utf8'), 'f').models[0];
    const vmCpu = vmFromPveConfig(
      parseVmConfig(`cpu: custom-${model.name}\n`, 'x'),
      'x',
      'x',
      new Map([[model.name, section]]),
    );
    const planned = readProfileInputs([after])[0];
    for (const host of [...readProfileInputs([hostsDir]), planned])
      expect(checkMatrix([vmCpu], [host]).cells[0].ok, host.name).toBe(true);
    expect(r.json.after.rollout.steps.map((s: { command: string }) => s.command)).toEqual([
      `migratable apply ${models}/${model.name}.conf`,
      qmSetCpuCommand(110, model.name),
      qmRebootCommand(110),
      qmSetCpuCommand(111, model.name),
      qmRebootCommand(111),
    ]);
    expect(readFileSync(join(models, `${model.name}.conf`), 'utf8')).toMatch(
      /^# hosts: pve1, pve2, pve3, pve1-planned$/m,
    );
  });

  it('host data that changes nothing strands nothing; --every-node takes one profile for all', async () => {
    const same = await cli([
      'drain',
      'pve2',
      hostsDir,
      '--pve-config',
      haClusterBalanced(),
      ...RUNNING,
      '--after',
      join(hostsDir, 'pve2.cpuinfo'),
    ]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/after the planned change of pve2:\n {2}no VM is stranded/);
    const every = await drain('pve2', haCluster, '--after', after, '--every-node');
    expect(every.json.after.replaced).toEqual(['pve1', 'pve2', 'pve3']);
    const two = await cli([
      'drain',
      'pve1',
      hostsDir,
      '--pve-config',
      haCluster,
      '--after',
      after,
      '--after',
      join(hostsDir, 'pve2.cpuinfo'),
      '--every-node',
    ]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--every-node: expects one planned profile, got 2/);
  });
});
