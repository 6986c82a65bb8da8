/**
 * Immutable model versions: apply never changes a section a VM uses, writes the next version and
 * names the VMs on the old one; plan lists those VMs as on an older version with their power-cycle
 * lines; prune removes only what no VM config, pending change or snapshot names.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { parseCpuModels, type CpuModelSection } from '../src/formats/pve-cpu-models.js';
import { parseSectionConfig, type SectionChunk } from '../src/formats/pve-section-config.js';
import { parseVmConfig } from '../src/formats/pve-vm-config.js';
import { qmRebootCommand, qmSetCpuCommand } from '../src/proxmox/commands.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { computePlan } from '../src/proxmox/plan/plan.js';
import { contentHash, normalizedContent } from '../src/proxmox/versions/content.js';
import { decideModelWrite } from '../src/proxmox/versions/decide.js';
import { familyOf, nextVersionName, versionName, versionOf } from '../src/proxmox/versions/naming.js';
import { prunableModels } from '../src/proxmox/versions/prune.js';
import { modelUses } from '../src/proxmox/versions/usage.js';
import { readProfileInputs } from '../src/sources/files.js';
import { MIGRATABLE_VERSION } from '../src/tool-version.js';
import { cliAsync as cli } from './helpers/cli.js';
import { CLUSTER_NODE_DUMPS, clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';

/** The cross-vendor model `mix` the cluster's VM 101 runs (kvm64 base, -kvm_pv_unhalt). */
const OLD_M = 'cpu-model: mix\n\tflags +aes;+sse4.2;-kvm_pv_unhalt\n\treported-model kvm64\n\n';
const OTHER = 'cpu-model: other\n\tflags +aes\n\treported-model kvm64\n';

function cluster(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'versions-'));
  cpSync(etcPveCopy('pve9'), dir, { recursive: true });
  mkdirSync(join(dir, 'virtual-guest'));
  const file = join(dir, 'virtual-guest/cpu-models.conf');
  writeFileSync(file, `# kept by hand\n${OLD_M}${OTHER}`);
  const vm101 = join(dir, 'nodes/pve1/qemu-server/101.conf');
  writeFileSync(vm101, readFileSync(vm101, 'utf8').replace(/^cpu: host$/m, 'cpu: custom-mix'));
  return { dir, file };
}

/** `baseline --format pve --name m` over the two Intel nodes: a different definition of mix. */
async function newModelFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'versions-model-'));
  const dumps = ['pve1', 'pve2'].map((n) => join(fixturesDir, CLUSTER_NODE_DUMPS[n]));
  const r = await cli(['baseline', ...dumps, '--format', 'pve', '--name', 'mix']);
  expect(r.code).toBe(0);
  writeFileSync(join(dir, 'm.conf'), r.stdout);
  return join(dir, 'm.conf');
}

const sectionRaw = (text: string, id: string) =>
  (parseSectionConfig(text, 'f').chunks.find((c) => c.kind === 'section' && c.id === id) as SectionChunk).raw;

describe('apply: a used model keeps its definition', async () => {
  let model: string;
  beforeAll(async () => {
    model = await newModelFile();
  });

  it('leaves the used section byte-identical, adds the next version and names the VMs on the old one', async () => {
    const { file } = cluster();
    const before = readFileSync(file, 'utf8');
    const inv = join(mkdtempSync(join(tmpdir(), 'versions-inv-')), 'inv.db');
    const r = await cli(['apply', model, '--file', file, '--inventory', inv, '--vm', '101']);
    expect(r.code).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(sectionRaw(after, 'mix')).toBe(sectionRaw(before, 'mix'));
    expect(after.startsWith(before)).toBe(true); // everything else kept too
    const models = parseCpuModels(after, file).models;
    expect(models.map((m) => m.name)).toEqual(['mix', 'other', 'mix-2']);
    expect(r.stderr).toMatch(/cpu-model mix is used by VM 101 \(db1\): left as it is; the new definition is mix-2/);
    expect(r.stdout.trim()).toBe(qmSetCpuCommand(101, 'mix-2'));

    // Provenance: hosts from the section file's comment, the date, this release, the content hash
    const db = openInventory(inv, { readOnly: true });
    const [rec] = db.modelVersions();
    db.close();
    expect(rec).toMatchObject({
      name: 'mix-2',
      family: 'mix',
      version: 2,
      action: 'added',
      toolVersion: MIGRATABLE_VERSION,
      hosts: ['Xeon-E5-2690-v4_broadwell', 'Xeon-E5-2680-v3_haswell'],
    });
    expect(rec.contentHash).toBe(contentHash(models[2]));

    // Again: mix-2 already holds it, nothing is written
    const again = await cli(['apply', model, '--file', file]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/mix-2 \(a version of mix\) is already exactly this/);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('exits non-zero only when asked to replace in place, and then writes nothing', async () => {
    const { file } = cluster();
    const before = readFileSync(file, 'utf8');
    const r = await cli(['apply', model, '--file', file, '--in-place']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to replace cpu-model mix in place: used by VM 101 \(db1\)/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('replaces an unused section in place, and counts every section as used when no VM configs are known', async () => {
    const { dir, file } = cluster();
    writeFileSync(join(dir, 'nodes/pve1/qemu-server/101.conf'), 'cpu: host\n');
    const r = await cli(['apply', model, '--file', file, '--in-place']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/replaced cpu-model mix: no VM config, pending change or snapshot uses it/);
    expect(parseCpuModels(readFileSync(file, 'utf8'), file).models.map((m) => m.name)).toEqual(['mix', 'other']);

    const lone = join(mkdtempSync(join(tmpdir(), 'versions-lone-')), 'cpu-models.conf');
    writeFileSync(lone, OLD_M);
    const unknown = await cli(['apply', model, '--file', lone]);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toMatch(/possibly in use \(no VM configs were read/);
    expect(parseCpuModels(readFileSync(lone, 'utf8'), lone).models.map((m) => m.name)).toEqual(['mix', 'mix-2']);
  });
});

describe('plan: VMs on an older version, the power-cycle list, removable versions', async () => {
  it('lists the VM on mix as on an older version with its power-cycle line', async () => {
    const { dir, file } = cluster();
    expect((await cli(['apply', await newModelFile(), '--file', file])).code).toBe(0);
    const hosts = clusterHostsDir();
    const r = await cli(['plan', hosts, '--pve-config', dir, '--running', '101', '--format', 'json']);
    expect(r.code).toBe(0);
    const { versions } = JSON.parse(r.stdout);
    expect(versions.vms.find((v: { vmid: number }) => v.vmid === 101)).toMatchObject({
      status: 'older-version',
      cpu: 'custom-mix',
      target: 'custom-mix-2',
    });
    const cycle = versions.powerCycle.find((c: { vmid: number }) => c.vmid === 101);
    expect(cycle.commands).toEqual([qmSetCpuCommand(101, 'mix-2'), qmRebootCommand(101)]);
    expect(versions.removable.map((x: { name: string }) => x.name)).toEqual(['other']);
    expect(versions.removableAfter).toEqual(['mix']);

    const text = (await cli(['plan', hosts, '--pve-config', dir, '--running', '101'])).stdout;
    expect(text).toMatch(/VM 101 \(db1\) on pve1: older version: runs mix \(version 1\); mix-2 \(version 2\)/);
    expect(text).toMatch(/VM 101 \(db1\) on pve1: qm set 101 --cpu custom-mix-2 && qm reboot 101/);
    const md = (await cli(['plan', hosts, '--pve-config', dir, '--running', '101', '--format', 'markdown'])).stdout;
    expect(md).toMatch(/## Power-cycle list[\s\S]*qm set 101 --cpu custom-mix-2\nqm reboot 101/);
  });

  it('a stopped VM switches without a power cycle; a pending change is a power cycle of its own', async () => {
    const { dir, file } = cluster();
    expect((await cli(['apply', await newModelFile(), '--file', file])).code).toBe(0);
    const input = { ...readEtcPve(dir), hosts: readProfileInputs([clusterHostsDir()]) };
    for (const vm of input.vms) vm.running = vm.vmid === 101 ? false : true;
    const stopped = computePlan(input).versions;
    expect(stopped.vms.find((v) => v.vmid === 101)!.commands).toEqual([qmSetCpuCommand(101, 'mix-2')]);
    expect(stopped.powerCycle.some((c) => c.vmid === 101)).toBe(false);

    const vm103 = input.vms.find((v) => v.vmid === 103)!;
    vm103.config = parseVmConfig('cpu: x86-64-v2-AES\n\n[PENDING]\ncpu: custom-mix-2\n', vm103.where, 103);
    const pending = computePlan(input).versions;
    expect(pending.vms.find((v) => v.vmid === 103)).toMatchObject({ status: 'pending', target: 'custom-mix-2' });
    expect(pending.powerCycle.find((c) => c.vmid === 103)!.commands).toEqual([qmRebootCommand(103)]);
  });
});

describe('prune', async () => {
  it('removes only versions no VM config, pending change or snapshot names', async () => {
    const { dir, file } = cluster();
    expect((await cli(['apply', await newModelFile(), '--file', file])).code).toBe(0);
    const used = await cli(['prune', 'mix', '--file', file]);
    expect(used.code).toBe(1);
    expect(used.stderr).toMatch(/keeping cpu-model mix: used by VM 101 \(db1\)/);
    // By default only superseded versions go; mix is still used, other is no older version
    const before = readFileSync(file, 'utf8');
    expect((await cli(['prune', '--file', file])).stderr).toMatch(/keeping cpu-model mix: used by VM 101/);
    expect(readFileSync(file, 'utf8')).toBe(before);

    // A snapshot that names mix keeps it after the VM moved on
    const conf = join(dir, 'nodes/pve1/qemu-server/101.conf');
    const moved = readFileSync(conf, 'utf8').replace('cpu: custom-mix\n', 'cpu: custom-mix-2\n');
    writeFileSync(conf, `${moved}\n[before-upgrade]\ncpu: custom-mix\nsnaptime: 1700000000\n`);
    expect((await cli(['prune', '--file', file])).stderr).toMatch(
      /keeping cpu-model mix: used by VM 101 \(db1\) snapshot before-upgrade/,
    );
    writeFileSync(conf, moved);
    const dry = await cli(['prune', '--file', file, '--dry-run']);
    expect(dry.stdout).toMatch(/^-cpu-model: mix$/m);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const r = await cli(['prune', '--file', file]);
    expect(r.code).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(parseCpuModels(after, file).models.map((m) => m.name)).toEqual(['other', 'mix-2']);
    expect(after.startsWith('# kept by hand\ncpu-model: other\n')).toBe(true);
  });

  it('refuses without VM configs', async () => {
    const lone = join(mkdtempSync(join(tmpdir(), 'versions-lone-')), 'cpu-models.conf');
    writeFileSync(lone, OLD_M);
    const r = await cli(['prune', '--file', lone]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot tell which VMs use its models/);
  });
});

describe('version names and content', async () => {
  it('names versions NAME-2, NAME-3 within 40 characters, and reads them back', async () => {
    expect(versionName('web', 1)).toBe('web');
    expect(versionName('web', 3)).toBe('web-3');
    const long = 'a'.repeat(40);
    expect(versionName(long, 12)).toBe(`${'a'.repeat(37)}-12`);
    expect(versionOf(`${'a'.repeat(37)}-12`, long)).toBe(12);
    expect(versionOf('web-2', 'web')).toBe(2);
    expect(versionOf('web-1', 'web')).toBeNull();
    expect(versionOf('webx-2', 'web')).toBeNull();
    expect(nextVersionName('web', ['web', 'web-2', 'web-5', 'db'])).toEqual({ name: 'web-6', version: 6 });
    // db-2 alone is a name of its own; beside db it is db's version 2
    expect(familyOf('db-2', ['db-2'])).toEqual({ base: 'db-2', version: 1 });
    expect(familyOf('db-2', ['db', 'db-2'])).toEqual({ base: 'db', version: 2 });
  });

  it("identifies a version by what Proxmox's own writer leaves of it", async () => {
    const a: CpuModelSection = { name: 'x', flags: ['+aes', '-kvm_pv_unhalt'] };
    const b: CpuModelSection = { name: 'y', flags: ['-kvm_pv_unhalt', '+aes'], reportedModel: 'kvm64', hidden: false };
    expect(normalizedContent(a)).toBe(normalizedContent(b));
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).not.toBe(contentHash({ ...a, physBits: 40 }));
  });

  it('decides under the lock from the file as it is: a version written meanwhile is seen', async () => {
    const section: CpuModelSection = { name: 'mix', flags: ['+avx'] };
    const existing = parseCpuModels(`${OLD_M}cpu-model: mix-2\n\tflags +avx\n`, 'f').models;
    const d = decideModelWrite({ existing, section, uses: new Map([['mix', []]]) });
    expect(d.kind).toBe('replace'); // mix unused: in place
    const used = new Map([['mix', [{ vmid: 101, node: 'pve1', via: 'config', running: true }]]]);
    expect(decideModelWrite({ existing, section, uses: used })).toMatchObject({
      kind: 'present',
      section: { name: 'mix-2' },
    });
    const retired = decideModelWrite({ existing: [], section, uses: used, retired: new Set(['mix', 'mix-2']) });
    expect(retired).toMatchObject({ kind: 'new-version', section: { name: 'mix-3' } });
  });

  it('finds uses in the config, the pending section and snapshots', async () => {
    const vm = (vmid: number, text: string) => ({
      vmid,
      node: 'pve1',
      where: `${vmid}.conf`,
      running: null,
      config: parseVmConfig(text, `${vmid}.conf`, vmid),
    });
    const uses = modelUses([
      vm(100, 'cpu: custom-a\n'),
      vm(101, 'cpu: host\n\n[PENDING]\ncpu: custom-b,flags=+aes\n'),
      vm(102, 'cpu: custom-b\n\n[snap1]\ncpu: custom-a\nrunningcpu: kvm64,+aes\n'),
    ]);
    expect([...uses.keys()].sort()).toEqual(['a', 'b']);
    expect(uses.get('a')!.map((u) => `${u.vmid} ${u.via}`)).toEqual(['100 config', '102 snapshot snap1']);
    expect(uses.get('b')!.map((u) => `${u.vmid} ${u.via}`)).toEqual(['101 pending', '102 config']);
    expect(prunableModels(parseCpuModels(`${OLD_M}${OTHER}`, 'f').models, uses).remove).toEqual([]);
  });

  it('the tool version is the package version', async () => {
    expect(MIGRATABLE_VERSION).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
  });
});
