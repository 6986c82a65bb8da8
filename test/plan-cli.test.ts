import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCpuModels } from '../src/formats/pve-cpu-models.js';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';
import { clusterApiDir, clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { startPveReplay, type PveReplay, pveApiArgs } from './helpers/pve-replay.js';

const hosts = clusterHostsDir();
const base = (...args: string[]) => [...args, hosts, '--pve-config', etcPveCopy('pve9')];

describe('migratable plan', () => {
  it('prints the JSON contract and nothing more', () => {
    const r = cli(base('plan', '--format', 'json'));
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(Object.keys(plan)).toEqual(['domains', 'vms', 'notes', 'versions']);
    for (const d of plan.domains) {
      expect(Object.keys(d)).toEqual(['nodes', 'source', 'model']);
      expect(Object.keys(d.model)).toEqual(['name', 'cpu', 'features']);
    }
    expect(Object.keys(plan.vms[0])).toEqual([
      'vmid',
      'name',
      'node',
      'running',
      'domain',
      'current',
      'liveTargets',
      'blocked',
      'action',
      'commands',
      'needsRestart',
      'notes',
    ]);
    expect(plan.vms.map((v: { vmid: number; action: string }) => `${v.vmid}:${v.action}`)).toEqual([
      '101:change-model',
      '102:change-model',
      '103:keep',
    ]);
  });

  it('writes the sections the commands apply, readable by apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-models-'));
    const r = cli(base('plan', '--format', 'markdown', '--write-models', dir));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# CPU model rollout/);
    expect(r.stdout).toMatch(/\| 101 \(db1\) \| pve1 \|/);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['migratable-cluster.conf', 'migratable-intel-only.conf']);
    for (const f of files) {
      const [m] = parseCpuModels(readFileSync(join(dir, f), 'utf8'), f).models;
      expect(`${m.name}.conf`).toBe(f);
      expect(r.stdout).toContain(`migratable apply ${dir}/${f}`);
    }
  });

  it('text names the blockers and the order', () => {
    const r = cli(base('plan', '--running', '101,102'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/VM 102 \(web1\) on pve3: change to custom-migratable-cluster, restart\n/);
    expect(r.stdout).toMatch(/pve1 blocked: kvm-pv-unhalt on/);
    expect(r.stdout).toMatch(/1\. migratable apply .*\n.*2\. migratable apply/);
  });

  it('bad input: one line, exit 2, nothing on stdout', () => {
    for (const args of [
      ['plan', hosts, '--pve-config', '/nonexistent'],
      base('plan', '--format', 'yaml'),
      base('plan', '--running', '101', '--stopped', '101'),
      base('targets', 'abc'),
      base('targets', '999'),
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('migratable targets', () => {
  it('exit 0 with the targets, one per line', () => {
    const r = cli(base('targets', '103'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pve1\n');
  });

  it('exit 1 when the VM can move nowhere now; JSON says why', () => {
    const r = cli(base('targets', '102', '--format', 'json'));
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout);
    expect(t.liveTargets).toEqual([]);
    expect(t.blocked.map((b: { node: string }) => b.node)).toEqual(['pve1', 'pve2']);
  });
});

describe('migratable plan --pve (replayed PVE 9.1 API)', () => {
  const TOKEN = 'root@pam!plan=7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  let srv: PveReplay;
  beforeAll(async () => {
    srv = await startPveReplay({ version: '9.2', dir: clusterApiDir, token: TOKEN });
  });
  afterAll(async () => srv?.close());

  /** Asynchronously: the replay server lives in this process and must keep answering. */
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), ...args], { cwd: repoRoot });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('reads config and host data from the API; the token never appears', async () => {
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'plan-token-')), 'token');
    writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    const api = pveApiArgs(srv, tokenFile);
    const r = await run(['plan', '--format', 'json', ...api]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    const vm = (id: number) => plan.vms.find((v: { vmid: number }) => v.vmid === id);
    expect(vm(101).needsRestart).toBe(true);
    expect(vm(102).liveTargets).toEqual([]);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN.split('=')[1]);
    expect((await run(['targets', '103', ...api])).stdout).toBe('pve1\n');
  });
});
