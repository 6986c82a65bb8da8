/**
 * Issue 26: a real Prometheus server (Debian's prometheus) on loopback scrapes `migratable serve`'s
 * /metrics every second with the token, evaluates the example alert rules on what it scraped, and
 * answers queries: the VMs' live targets, the hosts' info, a hostile host name read back as the
 * writer escaped it, and every expression of the Grafana dashboard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { readProfileInputs } from '../src/sources/files.js';
import { cliPath } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';
import { havePrometheus, startPrometheus, type PrometheusServer } from './helpers/prometheus.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { freePort } from './helpers/sshd.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-prometheus-'));
const token = 'scrape-token-0123456789abcdef';
/** A host named with a quote, a backslash and an escape character */
const HOSTILE = 'we"ird\\host\u001bx';
const rulesFile = join(repoRoot, 'contrib/prometheus/migratable-alerts.yml');
const dashboard = JSON.parse(readFileSync(join(repoRoot, 'contrib/grafana/migratable-dashboard.json'), 'utf8'));

let serve: ChildProcess | undefined;
let prom: PrometheusServer | undefined;

/** Starts the real CLI's serve and resolves once it says where it listens. */
async function startServe(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${log}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('serving')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${log}`)));
  });
  return child;
}

beforeAll(async () => {
  if (!havePrometheus) return;
  const db = join(tmp, 'inventory.db');
  const inv = openInventory(db);
  const hosts = readProfileInputs([clusterHostsDir()]);
  const at = new Date('2026-03-01T10:00:00Z');
  inv.addScan(
    [...hosts, { ...hosts[0], name: HOSTILE }].map((profile) => ({
      profile: { ...profile, collectedAt: null },
      identity: { address: profile.name, key: null },
      target: profile.name,
      seconds: 1.5,
    })),
    at,
    { startedAt: at, finishedAt: new Date(at.getTime() + 4000), failed: [] },
  );
  inv.close();
  const port = await freePort();
  serve = await startServe([
    '--inventory',
    db,
    '--pve-config',
    etcPveCopy('pve9'),
    '--port',
    String(port),
    '--access-token',
    token,
  ]);
  const tokenFile = join(tmp, 'token');
  writeFileSync(tokenFile, token);
  const target = `127.0.0.1:${port}`;
  prom = await startPrometheus(
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - ${JSON.stringify(rulesFile)}
scrape_configs:
  - job_name: migratable
    authorization:
      type: Bearer
      credentials_file: ${JSON.stringify(tokenFile)}
    static_configs:
      - targets: [${JSON.stringify(target)}]
  - job_name: no-token
    static_configs:
      - targets: [${JSON.stringify(target)}]
`,
    join(tmp, 'prometheus'),
  );
  // scraped a few times, the rules evaluated on it
  await prom.waitFor(
    'count_over_time(migratable_plan_success{job="migratable"}[1m])',
    (r) => Number(r[0]?.value[1]) >= 3,
  );
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve!.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  rmSync(tmp, { recursive: true, force: true });
});

const byLabel = (r: Awaited<ReturnType<PrometheusServer['query']>>, label: string) =>
  Object.fromEntries(r.map((s) => [s.metric[label], Number(s.value[1])]));

describe.runIf(havePrometheus)('a real Prometheus scraping serve /metrics', () => {
  it('has every VM with its live targets now and its domain', async () => {
    expect(byLabel(await prom!.query('migratable_vm_live_targets{job="migratable"}'), 'vmid')).toEqual({
      101: 0,
      102: 0,
      103: 1,
    });
    expect(byLabel(await prom!.query('migratable_vm_domain_targets'), 'vmid')).toEqual({ 101: 1, 102: 2, 103: 1 });
    const info = await prom!.query('migratable_vm_info{vmid="103"}');
    expect(info.map((s) => s.metric)).toEqual([
      {
        __name__: 'migratable_vm_info',
        job: 'migratable',
        instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        vmid: '103',
        name: 'app1',
        node: 'pve2',
        cpu: 'x86-64-v2-AES',
        domain_model: 'custom-migratable-intel-only',
      },
    ]);
  });

  it('has the hosts: info, features, scan time and duration; a hostile name comes back as escaped', async () => {
    const [pve3] = await prom!.query('migratable_host_info{host="pve3"}');
    expect(pve3.metric).toMatchObject({
      vendor: 'AuthenticAMD',
      cpu_model: 'AMD EPYC 7301 16-Core Processor',
      microcode: '0x8001227',
      source: 'cpuinfo',
      exact: 'false',
    });
    expect(Number(pve3.value[1])).toBe(1);
    const features = byLabel(await prom!.query('migratable_host_cpu_features'), 'host');
    expect(Object.keys(features).sort()).toEqual(['pve1', 'pve2', 'pve3', 'we"ird\\\\host\\x1bx']);
    expect(features.pve3).toBeGreaterThan(50);
    expect(byLabel(await prom!.query('migratable_host_last_scan_success_timestamp_seconds'), 'host').pve1).toBe(
      Date.parse('2026-03-01T10:00:00Z') / 1000,
    );
    expect(byLabel(await prom!.query('migratable_host_last_scan_duration_seconds'), 'host').pve2).toBe(1.5);
    expect(Number((await prom!.query('migratable_scan_last_run_duration_seconds'))[0].value[1])).toBe(4);
  });

  it('a scrape without the token is refused (401), so that target is down', async () => {
    expect(Number((await prom!.query('up{job="no-token"}'))[0].value[1])).toBe(0);
    expect(Number((await prom!.query('up{job="migratable"}'))[0].value[1])).toBe(1);
    const { activeTargets } = await prom!.api<{ activeTargets: Array<{ labels: { job: string }; lastError: string }> }>(
      'targets',
    );
    expect(activeTargets.find((t) => t.labels.job === 'no-token')!.lastError).toMatch(/401/);
  });

  it('loads the alert rules, evaluates them on the scraped series: VMs 101 and 102 are pending', async () => {
    const { groups } = await prom!.api<{ groups: Array<{ rules: Array<{ name: string; health: string }> }> }>('rules');
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBe(7);
    expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
    const { alerts } = await prom!.api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>('alerts');
    const noTarget = alerts.filter((a) => a.labels.alertname === 'MigratableVmNoLiveTarget');
    expect(noTarget.map((a) => [a.labels.vmid, a.labels.name, a.labels.node, a.state]).sort()).toEqual([
      ['101', 'db1', 'pve1', 'pending'],
      ['102', 'web1', 'pve3', 'pending'],
    ]);
  });

  it('every expression of the Grafana dashboard runs, and its stat counts the VMs with no live target', async () => {
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) =>
      p.targets.map((t) => t.expr.replaceAll('$job', 'migratable')),
    );
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) await prom!.query(expr); // throws on a PromQL error
    const [stat] = await prom!.query(exprs[0]);
    expect(Number(stat.value[1])).toBe(2);
    const variable = dashboard.templating.list.find((v: { name: string }) => v.name === 'job');
    const jobs = await prom!.api<string[]>(`label/job/values?match[]=${encodeURIComponent('migratable_host_info')}`);
    expect(variable.definition).toBe('label_values(migratable_host_info, job)');
    expect(jobs).toEqual(['migratable']);
  });
});
