/**
 * Issue 26: the Prometheus metrics. The exposition writer, the facts from a real inventory and a
 * replayed cluster config, the outdated-model rule, `metrics -o` and serve's /metrics, each output
 * checked by the real parser (promtool check metrics).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInventory } from '../src/fleet/inventory/index.js';
import { collectFacts, metricsSource, renderMetrics } from '../src/metrics/collect.js';
import { escapeLabelValue, renderExposition, type MetricFamily } from '../src/metrics/exposition.js';
import type { FleetFacts } from '../src/metrics/facts.js';
import { fleetFamilies } from '../src/metrics/families.js';
import { runsOutdatedModel } from '../src/metrics/outdated.js';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import type { HostProfile } from '../src/profile/host-profile.js';
import { readProfileInputs } from '../src/sources/files.js';
import { PlanService } from '../src/web/server/plan/service.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { cli } from './helpers/cli.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';
import { havePromtool, promtool } from './helpers/prometheus.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-metrics-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hostsDir = clusterHostsDir();
const clusterHosts = readProfileInputs([hostsDir]);
const host = (name: string) => clusterHosts.find((h) => h.name === name)!;

/** The sample lines of one metric, `labels value` each, in output order. */
function series(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => l.slice(name.length));
}

/** promtool check metrics: exit 0 and no lint complaint. */
function checkedByPromtool(text: string): void {
  if (!havePromtool) return;
  const r = promtool(['check', 'metrics'], text);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
}

describe('the exposition writer', () => {
  it('escapes label values so the parser reads them back, control characters shown, never raw', () => {
    expect(escapeLabelValue('plain pve-1.example')).toBe('plain pve-1.example');
    // the value's backslash is doubled before the visible escapes, so "\x1b" typed and ESC stay apart
    expect(escapeLabelValue('a"b\\c\nd\u001be')).toBe('a\\"b\\\\\\\\c\\\\nd\\\\x1be');
    expect(escapeLabelValue('a\\x1b')).not.toBe(escapeLabelValue('a\u001b'));
    expect(escapeLabelValue('lone \ud800 surrogate')).toBe('lone \\\\ud800 surrogate');
    expect(escapeLabelValue('ünïcödé ✓')).toBe('ünïcödé ✓');
  });

  const fam = (over: Partial<MetricFamily>): MetricFamily => ({
    name: 'migratable_test',
    help: 'A test.',
    type: 'gauge',
    samples: [{ labels: {}, value: 1 }],
    ...over,
  });

  it('writes HELP, TYPE and the samples; leaves out empty families and empty label values', () => {
    const text = renderExposition([
      fam({ samples: [{ labels: { host: 'a', empty: '' }, value: 0.5 }] }),
      fam({ name: 'migratable_none', samples: [] }),
      fam({
        name: 'migratable_special',
        samples: [
          { labels: { v: 'nan' }, value: NaN },
          { labels: { v: 'inf' }, value: Infinity },
          { labels: { v: 'ninf' }, value: -Infinity },
          { labels: { v: 'small' }, value: 1e-7 },
        ],
      }),
      fam({ name: 'migratable_events_total', type: 'counter', help: 'back\\slash' }),
    ]);
    expect(text).toBe(
      [
        '# HELP migratable_test A test.',
        '# TYPE migratable_test gauge',
        'migratable_test{host="a"} 0.5',
        '# HELP migratable_special A test.',
        '# TYPE migratable_special gauge',
        'migratable_special{v="nan"} NaN',
        'migratable_special{v="inf"} +Inf',
        'migratable_special{v="ninf"} -Inf',
        'migratable_special{v="small"} 1e-7',
        '# HELP migratable_events_total back\\\\slash',
        '# TYPE migratable_events_total counter',
        'migratable_events_total 1',
        '',
      ].join('\n'),
    );
    checkedByPromtool(text);
    expect(renderExposition([])).toBe('');
  });

  it('refuses names the format or the conventions do not allow, and a series given twice', () => {
    expect(() => renderExposition([fam({ name: 'bad-name' })])).toThrow(/not valid/);
    expect(() => renderExposition([fam({ name: 'migratable_events', type: 'counter' })])).toThrow(/_total/);
    expect(() => renderExposition([fam({ name: 'migratable_x_total' })])).toThrow(/only counters/);
    expect(() => renderExposition([fam({ samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] })])).toThrow(
      /label name/,
    );
    expect(() => renderExposition([fam({ samples: [{ labels: { __name__: 'x' }, value: 1 }] })])).toThrow(/label name/);
    expect(() =>
      renderExposition([
        fam({
          samples: [
            { labels: { host: 'a' }, value: 1 },
            { labels: { host: 'a' }, value: 2 },
          ],
        }),
      ]),
    ).toThrow(/twice/);
    expect(() => renderExposition([fam({}), fam({})])).toThrow(/twice/);
  });

  it.runIf(havePromtool)('hostile host names still give output promtool accepts, one series each', () => {
    const names = [
      'we"ird',
      'back\\slash',
      'new\nline',
      'esc\u001b[31m',
      'bidi\u202ename',
      'lone\udc00',
      'a\\x1b',
      'a\u001b',
    ];
    const facts: FleetFacts = {
      hosts: names.map((name) => ({ name, profile: { ...host('pve1'), name } })),
      unprofiled: [],
      lastRun: null,
    };
    const text = renderExposition(fleetFamilies(facts));
    expect(series(text, 'migratable_host_cpu_features')).toHaveLength(names.length);
    // nothing raw: every line is printable
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    checkedByPromtool(text);
  });
});

describe('the families', () => {
  const scans = {
    snapshots: 3,
    lastSuccess: '2026-01-02T03:04:05.500Z',
    lost: ['hle', 'rtm'],
    driftEvents: 2,
    failures: 1,
    lastFailure: '2026-01-01T00:00:00Z',
    lastSeconds: 1.25,
  };
  const facts: FleetFacts = {
    hosts: [
      {
        name: 'pve1',
        profile: {
          ...host('pve1'),
          kernel: '6.8.12-4-pve',
          qemu: '9.0.2',
          hostKind: {
            virtual: false,
            hypervisor: null,
            evidence: [],
            kvm: { device: true, module: 'kvm_intel', candidates: [], standard: true, nested: false, why: '' },
          },
        },
        scans,
        verify: { outcome: 'refused', at: '2026-01-02T00:00:00Z' },
      },
      { name: 'pve3', profile: host('pve3') },
    ],
    unprofiled: [{ name: '10.0.0.9:22', failures: 4, lastFailure: '2026-01-02T00:00:00Z' }],
    lastRun: { startedAt: '2026-01-02T03:04:00Z', finishedAt: '2026-01-02T03:04:07.250Z', hostsOk: 1, hostsFailed: 1 },
  };

  it('per host: info, features, lost features, drift, scans, durations, the verify verdict', () => {
    const text = renderExposition(fleetFamilies(facts));
    expect(series(text, 'migratable_host_info')).toEqual([
      '{host="pve1",vendor="GenuineIntel",cpu_model="Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz",kernel="6.8.12-4-pve",qemu="9.0.2",microcode="0xb00002a",host_kind="physical",kvm_module="kvm_intel",source="cpuinfo",exact="false"} 1',
      '{host="pve3",vendor="AuthenticAMD",cpu_model="AMD EPYC 7301 16-Core Processor",microcode="0x8001227",source="cpuinfo",exact="false"} 1',
    ]);
    expect(series(text, 'migratable_host_cpu_features')).toEqual([
      `{host="pve1"} ${host('pve1').features.length}`,
      `{host="pve3"} ${host('pve3').features.length}`,
    ]);
    // host data given as files has no scans: no scan series for it
    expect(series(text, 'migratable_host_cpu_features_lost')).toEqual(['{host="pve1"} 2']);
    expect(series(text, 'migratable_host_cpu_feature_lost')).toEqual([]);
    expect(series(text, 'migratable_drift_events_total')).toEqual(['{host="pve1"} 2']);
    expect(series(text, 'migratable_host_scans_total')).toEqual([
      '{host="pve1",result="success"} 3',
      '{host="pve1",result="failure"} 1',
      '{host="10.0.0.9:22",result="failure"} 4',
    ]);
    expect(series(text, 'migratable_host_last_scan_success_timestamp_seconds')).toEqual(['{host="pve1"} 1767323045.5']);
    expect(series(text, 'migratable_host_last_scan_failure_timestamp_seconds')).toEqual([
      '{host="pve1"} 1767225600',
      '{host="10.0.0.9:22"} 1767312000',
    ]);
    expect(series(text, 'migratable_host_last_scan_duration_seconds')).toEqual(['{host="pve1"} 1.25']);
    expect(series(text, 'migratable_host_verify_outcome')).toEqual([
      '{host="pve1",outcome="match"} 0',
      '{host="pve1",outcome="mismatch"} 0',
      '{host="pve1",outcome="refused"} 1',
      '{host="pve1",outcome="failed"} 0',
      '{host="pve1",outcome="timeout"} 0',
      '{host="pve1",outcome="unrun"} 0',
      '{host="pve1",outcome="unreachable"} 0',
    ]);
    expect(series(text, 'migratable_scan_last_run_timestamp_seconds')).toEqual([' 1767323047.25']);
    expect(series(text, 'migratable_scan_last_run_duration_seconds')).toEqual([' 7.25']);
    expect(series(text, 'migratable_scan_last_run_hosts')).toEqual(['{result="success"} 1', '{result="failure"} 1']);
    // without a cluster config: no plan series at all
    expect(text).not.toMatch(/migratable_(vm|plan|model)_/);
    checkedByPromtool(text);
  });

  it('names lost features in labels only when asked', () => {
    const text = renderExposition(fleetFamilies(facts, { featureLabels: true }));
    expect(series(text, 'migratable_host_cpu_feature_lost')).toEqual([
      '{host="pve1",feature="hle"} 1',
      '{host="pve1",feature="rtm"} 1',
    ]);
    checkedByPromtool(text);
  });

  it('a plan that could not be made: plan_success 0 and no VM series', () => {
    const text = renderExposition(fleetFamilies({ ...facts, plan: { error: 'no host data for node(s) pve9' } }));
    expect(series(text, 'migratable_plan_success')).toEqual([' 0']);
    expect(text).not.toMatch(/migratable_vm_/);
  });
});

describe('an outdated model version', () => {
  it("is the plan's older-version, and nothing else", () => {
    const versions = {
      vms: [
        { vmid: 101, status: 'older-version' as const },
        { vmid: 102, status: 'no-fit' as const },
        { vmid: 103, status: 'pending' as const },
      ],
    };
    expect(runsOutdatedModel(101, versions)).toBe(true);
    expect(runsOutdatedModel(102, versions)).toBe(false);
    expect(runsOutdatedModel(103, versions)).toBe(false);
    expect(runsOutdatedModel(104, versions)).toBe(false);
  });
});

/**
 * The pve9 fixture plus a cpu-models.conf with two versions of migratable-cluster (the first without
 * avx2, the second the cluster's baseline), a model of the admin's own, and VMs on them.
 */
function clusterWithModels(): string {
  const dir = join(tmp, `etc-pve-${Math.random().toString(36).slice(2)}`);
  cpSync(etcPveCopy('pve9'), dir, { recursive: true });
  mkdirSync(join(dir, 'virtual-guest'), { recursive: true });
  const section = readFileSync(join(tmp, 'section.conf'), 'utf8');
  writeFileSync(
    join(dir, 'virtual-guest/cpu-models.conf'),
    `${section.replace('+avx2;', '')}\n${section.replace('cpu-model: migratable-cluster', 'cpu-model: migratable-cluster-2')}\ncpu-model: mine\n\tflags +aes\n\treported-model kvm64\n`,
  );
  writeFileSync(
    join(dir, 'nodes/pve3/qemu-server/104.conf'),
    'name: old\ncpu: custom-migratable-cluster\nmemory: 1024\n',
  );
  writeFileSync(join(dir, 'nodes/pve2/qemu-server/105.conf'), 'name: own\ncpu: custom-mine\nmemory: 1024\n');
  return dir;
}

beforeAll(() => {
  const r = cli(['baseline', hostsDir, '--format', 'pve', '--name', 'migratable-cluster']);
  expect(r.code, r.stderr).toBe(0);
  const section = r.stdout.split('\n').filter((l) => /^(cpu-model:|\t)/.test(l));
  writeFileSync(join(tmp, 'section.conf'), `${section.join('\n')}\n`);
});

describe('the facts of a replayed cluster and a real inventory', () => {
  it('per VM: live targets, domain targets, its CPU type, outdated, change needed; per CPU type its VMs', async () => {
    const dir = clusterWithModels();
    const facts = await collectFacts({ hosts: clusterHosts, cluster: () => readEtcPve(dir) });
    const plan = facts.plan as Exclude<FleetFacts['plan'], { error: string } | undefined>;
    expect(
      plan.vms.map((v) => [v.vmid, v.cpu, v.domainModel, v.liveTargets, v.domainTargets, v.outdated, v.changeNeeded]),
    ).toEqual([
      [101, 'host', 'custom-migratable-intel-only', 0, 1, false, true],
      [102, 'kvm64', 'custom-migratable-cluster-2', 0, 2, false, true],
      [103, 'x86-64-v2-AES', 'custom-migratable-intel-only', 1, 1, false, false],
      // the version without avx2 still reaches every node (keep), but cpu-models.conf has a newer one
      [104, 'custom-migratable-cluster', 'custom-migratable-cluster-2', 2, 2, true, false],
      // kvm64 with Proxmox's +kvm_pv_unhalt: not across vendors (pve2 Intel -> pve3 AMD)
      [105, 'custom-mine', 'custom-migratable-cluster-2', 1, 2, false, true],
    ]);
    expect(plan.models).toEqual([
      { model: 'custom-migratable-cluster', vms: 1 },
      // the newest version, not used yet: its series says so
      { model: 'custom-migratable-cluster-2', vms: 0 },
      { model: 'custom-mine', vms: 1 },
      { model: 'host', vms: 1 },
      { model: 'kvm64', vms: 1 },
      { model: 'x86-64-v2-AES', vms: 1 },
    ]);
    const text = await renderMetrics({ hosts: clusterHosts, cluster: () => readEtcPve(dir) });
    expect(series(text, 'migratable_vm_info')[3]).toBe(
      '{vmid="104",name="old",node="pve3",cpu="custom-migratable-cluster",domain_model="custom-migratable-cluster-2"} 1',
    );
    expect(series(text, 'migratable_vm_model_outdated')).toEqual([
      '{vmid="101"} 0',
      '{vmid="102"} 0',
      '{vmid="103"} 0',
      '{vmid="104"} 1',
      '{vmid="105"} 0',
    ]);
    checkedByPromtool(text);
  });

  it('from scans: lost features, drift events, failures named by their address, durations, the last run', async () => {
    const db = join(tmp, 'facts.db');
    const inv = openInventory(db);
    const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
    const entry = (p: HostProfile, seconds: number) => ({
      profile: { ...p, collectedAt: null },
      identity: { address: `${p.name}:22`, key: null },
      target: `root@${p.name}`,
      seconds,
    });
    const pve1 = host('pve1');
    const noTsx = { ...pve1, features: pve1.features.filter((f) => f !== 'rtm' && f !== 'hle') };
    try {
      inv.addScan([entry(pve1, 1), entry(host('pve2'), 2)], at(0), {
        startedAt: at(0),
        finishedAt: at(1),
        failed: [{ target: 'root@10.0.0.9', address: '10.0.0.9:22', seconds: 0.5, reason: 'Connection refused' }],
      });
      inv.addScan([entry(noTsx, 3)], at(60), {
        startedAt: at(60),
        finishedAt: at(61),
        failed: [
          { target: 'root@pve2', address: 'pve2:22', seconds: 30, reason: 'timed out' },
          { target: 'root@10.0.0.9', address: '10.0.0.9:22', seconds: 0.5, reason: 'Connection refused' },
        ],
      });
      inv.addScan([entry(noTsx, 4)], at(120), { startedAt: at(120), finishedAt: at(122), failed: [] });
    } finally {
      inv.close();
    }
    const facts = await collectFacts({ inventory: db });
    const [h1, h2] = facts.hosts;
    // the third scan changed nothing: lost is against the one before it, drift counts the change at the second
    expect(h1.scans).toEqual({
      snapshots: 3,
      lastSuccess: '2026-01-01T02:00:00.000Z',
      lost: [],
      driftEvents: 1,
      failures: 0,
      lastFailure: null,
      lastSeconds: 4,
    });
    expect(h2.scans).toMatchObject({
      snapshots: 1,
      failures: 1,
      lastFailure: '2026-01-01T01:01:00.000Z',
      lastSeconds: 2,
    });
    expect(facts.unprofiled).toEqual([{ name: '10.0.0.9:22', failures: 2, lastFailure: '2026-01-01T01:01:00.000Z' }]);
    expect(facts.lastRun).toEqual({
      startedAt: '2026-01-01T02:00:00.000Z',
      finishedAt: '2026-01-01T02:02:00.000Z',
      hostsOk: 1,
      hostsFailed: 0,
    });
  });
});

describe("serve's source: what has not changed is reused, what has is read again", () => {
  it('a scan beside the server and a changed cluster config show up at the next scrape', async () => {
    const db = join(tmp, 'cached.db');
    const inv = openInventory(db);
    inv.add([host('pve1'), host('pve2'), host('pve3')], new Date('2026-01-01T00:00:00Z'));
    inv.close();
    const dir = clusterWithModels();
    const scrape = metricsSource({ inventory: db, cluster: () => readEtcPve(dir), planErrors: 'report' });
    const first = await scrape();
    expect(await scrape()).toBe(first);
    expect(series(first, 'migratable_host_scans_total')[0]).toBe('{host="pve1",result="success"} 1');
    const rw = openInventory(db);
    rw.add([host('pve1')], new Date('2026-01-02T00:00:00Z'));
    rw.close();
    const second = await scrape();
    expect(series(second, 'migratable_host_scans_total')[0]).toBe('{host="pve1",result="success"} 2');
    writeFileSync(join(dir, 'nodes/pve1/qemu-server/106.conf'), 'name: new\ncpu: kvm64\nmemory: 512\n');
    const third = await scrape();
    expect(series(third, 'migratable_vm_live_targets')).toHaveLength(
      series(second, 'migratable_vm_live_targets').length + 1,
    );
  });
});

describe('migratable metrics', () => {
  it('-o writes the file atomically, and promtool accepts it', () => {
    const out = join(tmp, 'textfile', 'migratable.prom');
    mkdirSync(join(tmp, 'textfile'));
    writeFileSync(out, 'old content\n');
    const r = cli(['metrics', hostsDir, '--pve-config', etcPveCopy('pve9'), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    expect(series(text, 'migratable_vm_live_targets')).toEqual(['{vmid="101"} 0', '{vmid="102"} 0', '{vmid="103"} 1']);
    expect(readdirSync(join(tmp, 'textfile'))).toEqual(['migratable.prom']);
    checkedByPromtool(text);
  });

  it('refuses a link where the file goes, and bad input, with one line and exit 2, writing nothing', () => {
    const link = join(tmp, 'link.prom');
    symlinkSync(join(tmp, 'target.prom'), link);
    const r = cli(['metrics', hostsDir, '-o', link]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/link\.prom: is a symlink/);
    expect(existsSync(join(tmp, 'target.prom'))).toBe(false);

    const out = join(tmp, 'never.prom');
    const missing = cli(['metrics', hostsDir, '--pve-config', join(tmp, 'no-such-dir'), '-o', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const noInventory = cli(['metrics', '--inventory', join(tmp, 'none.db'), '-o', out]);
    expect(noInventory.code).toBe(2);
    expect(noInventory.stderr).toMatch(/none\.db: no inventory here/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('serve /metrics', () => {
  let open: RunningServer;
  let guarded: RunningServer;
  const token = 'metrics-token-0123456789';
  beforeAll(async () => {
    // a VM on a custom model no cpu-models.conf defines: the plan fails, the host series stay (a node
    // without host data no longer fails it: a partial cluster gets its plan)
    const broken = join(tmp, 'etc-pve-broken');
    cpSync(etcPveCopy('pve9'), broken, { recursive: true });
    writeFileSync(join(broken, 'nodes/pve1/qemu-server/199.conf'), 'name: orphan\ncpu: custom-nowhere\n');
    const metrics = (dir: string) => () =>
      renderMetrics({ hosts: clusterHosts, cluster: () => readEtcPve(dir), planErrors: 'report' });
    open = await startServer({ inputs: clusterHosts, port: 0, metrics: metrics(broken) });
    guarded = await startServer({ inputs: clusterHosts, port: 0, token, metrics: metrics(etcPveCopy('pve9')) });
  });
  afterAll(async () => {
    await open?.close();
    await guarded?.close();
  });

  it('answers loopback callers with the exposition; a plan that fails is a series, not an error', async () => {
    const r = await fetch(new URL('/metrics', open.url));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await r.text();
    expect(series(text, 'migratable_plan_success')).toEqual([' 0']);
    expect(series(text, 'migratable_host_info')).toHaveLength(3);
    checkedByPromtool(text);
  });

  it('with a token: only a caller that sends it (Authorization: Bearer, as Prometheus does)', async () => {
    const url = new URL('/metrics', guarded.url);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    expect(series(await r.text(), 'migratable_plan_success')).toEqual([' 1']);
  });

  it('refuses a non-loopback Host without a token (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(new URL('/metrics', open.url), { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('serve /metrics through the plan worker', () => {
  it("reads the dashboard's plan (the worker's cache): the same series as planning here, changes included", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'metrics-service-')), 'etc-pve');
    cpSync(etcPveCopy('pve9'), dir, { recursive: true });
    const service = new PlanService(dir, clusterHosts, 0);
    const server = await startServer({
      inputs: clusterHosts,
      port: 0,
      plan: service,
      metrics: metricsSource({ hosts: clusterHosts, planFacts: () => service.metricsFacts(), planErrors: 'report' }),
    });
    try {
      await service.check();
      const here = () => renderMetrics({ hosts: clusterHosts, cluster: () => readEtcPve(dir), planErrors: 'report' });
      const scrape = async () => (await fetch(new URL('/metrics', server.url))).text();
      const first = await scrape();
      expect(series(first, 'migratable_plan_success')).toEqual([' 1']);
      expect(first).toBe(await here());
      // The dashboard's /api/plan is the same plan: its live targets are the series'
      const plan = (await (await fetch(new URL('/api/plan', server.url))).json()) as {
        vms: Array<{ vmid: number; liveTargets: string[] }>;
      };
      expect(series(first, 'migratable_vm_live_targets')).toEqual(
        plan.vms.map((v) => `{vmid="${v.vmid}"} ${v.liveTargets.length}`),
      );
      writeFileSync(join(dir, 'nodes/pve1/qemu-server/106.conf'), 'name: new\ncpu: kvm64\nmemory: 512\n');
      await service.check();
      const second = await scrape();
      expect(second).toBe(await here());
      expect(series(second, 'migratable_vm_live_targets')).toHaveLength(
        series(first, 'migratable_vm_live_targets').length + 1,
      );
      // A copy the worker cannot plan: plan_success 0, the host series stay
      writeFileSync(join(dir, 'nodes/pve1/qemu-server/199.conf'), 'name: orphan\ncpu: custom-nowhere\n');
      await service.check();
      const broken = await scrape();
      expect(series(broken, 'migratable_plan_success')).toEqual([' 0']);
      expect(series(broken, 'migratable_host_info')).toHaveLength(3);
    } finally {
      await server.close();
      await service.close();
    }
  });
});
