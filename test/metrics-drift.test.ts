/**
 * Issue 26, the drift test: two real scans over loopback sshd of a host whose replayed data (a real
 * cpuinfo dump through the real probe script: MIGRATABLE_PROBE_ROOT) loses `rtm` between them, as
 * a microcode update that turns TSX off does. The metrics file after each scan: the lost-features
 * series and the drift counter change, and the alert rule, tested with promtool on exactly those
 * series, fires after the second scan and not before.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cliAsync } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';
import { havePromtool, promtool } from './helpers/prometheus.js';
import { createSshFixture, freePort, type SshFixture, sshCliArgs } from './helpers/sshd.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-metrics-drift-'));
const root = join(tmp, 'root');
const db = join(tmp, 'inventory.db');
const rulesFile = join(repoRoot, 'contrib/prometheus/migratable-alerts.yml');
const cpuinfo = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');
let fixture: SshFixture;
let port: number;
let dead: number;
const files: string[] = [];
const runs: Array<{ code: number | null; stderr: string }> = [];

/** One scan into the inventory, then the metrics file, as the systemd unit runs them. */
async function scanAndMeasure(targets: string[], n: number): Promise<void> {
  const scan = await cliAsync(['scan', ...targets, '--inventory', db, ...sshCliArgs(fixture), '--timeout', '30']);
  runs.push(scan);
  const file = join(tmp, `migratable-${n}.prom`);
  const metrics = await cliAsync(['metrics', '--inventory', db, '--feature-labels', '-o', file]);
  expect(metrics.code, metrics.stderr).toBe(0);
  files.push(readFileSync(file, 'utf8'));
}

beforeAll(async () => {
  mkdirSync(join(root, 'proc'), { recursive: true });
  writeFileSync(join(root, 'proc/cpuinfo'), cpuinfo);
  fixture = createSshFixture();
  // The host answers the probe script from the recorded tree: its cpuinfo is whatever root/ holds now
  port = (await fixture.startServer({ forceCommand: `MIGRATABLE_PROBE_ROOT=${root} exec /bin/sh -s` })).port;
  dead = await freePort();
  await scanAndMeasure([`127.0.0.1:${port}`], 1);
  // a microcode update turns TSX off: rtm is gone from every processor's flags
  writeFileSync(join(root, 'proc/cpuinfo'), cpuinfo.replace(/^(flags\s*:.*) rtm\b/gm, '$1'));
  await scanAndMeasure([`127.0.0.1:${port}`, `127.0.0.1:${dead}`], 2);
}, 180_000);

afterAll(async () => {
  await fixture?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Sample lines of one metric: [series, value]. */
const samples = (text: string, name: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))] as const);
const value = (text: string, name: string, labels = '') => samples(text, name).find(([s]) => s.includes(labels))?.[1];

describe('two scans of a host that loses rtm', () => {
  it('the scans ran over sshd: the first cleanly, the second with one dead target', () => {
    expect(runs[0].code, runs[0].stderr).toBe(0);
    expect(runs[1].code).toBe(1);
    expect(runs[1].stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${dead}: `));
  });

  it('the lost-features series and the drift counter change', () => {
    const [before, after] = files;
    const [[infoSeries]] = samples(before, 'migratable_host_info');
    const host = /host="([^"]*)"/.exec(infoSeries)![1];
    const h = `host="${host}"`;
    expect(value(before, 'migratable_host_cpu_features_lost', h)).toBe(0);
    expect(value(before, 'migratable_drift_events_total', h)).toBe(0);
    expect(samples(before, 'migratable_host_cpu_feature_lost')).toEqual([]);
    expect(value(after, 'migratable_drift_events_total', h)).toBe(1);
    const lost = samples(after, 'migratable_host_cpu_feature_lost').map(([s]) => /feature="([^"]*)"/.exec(s)![1]);
    expect(lost).toContain('rtm');
    expect(value(after, 'migratable_host_cpu_features_lost', h)).toBe(lost.length);
    expect(value(after, 'migratable_host_cpu_features', h)).toBe(
      value(before, 'migratable_host_cpu_features', h)! - lost.length,
    );
    // the scans themselves: two successes, the dead port's failure named by its address, durations
    expect(value(after, 'migratable_host_scans_total', `${h},result="success"`)).toBe(2);
    expect(value(after, 'migratable_host_scans_total', `host="127.0.0.1:${dead}",result="failure"`)).toBe(1);
    expect(value(after, 'migratable_host_last_scan_duration_seconds', h)).toBeGreaterThan(0);
    expect(value(after, 'migratable_scan_last_run_hosts', 'result="failure"')).toBe(1);
    expect(value(after, 'migratable_host_last_scan_success_timestamp_seconds', h)).toBeGreaterThan(
      value(before, 'migratable_host_last_scan_success_timestamp_seconds', h)! - 1,
    );
  });

  it.runIf(havePromtool)('promtool accepts both files', () => {
    for (const text of files) {
      const r = promtool(['check', 'metrics'], text);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it.runIf(havePromtool)('the lost-features alert fires on these series after the second scan, not before', () => {
    const [before, after] = files;
    // both files as a textfile collector would expose them: the first for 5 minutes, then the second
    const names = ['migratable_host_cpu_features_lost', 'migratable_drift_events_total'];
    const series = names.flatMap((name) =>
      samples(after, name).map(([s, v]) => {
        const old = samples(before, name).find(([b]) => b === s)?.[1];
        return { series: s.replace('{', '{job="node",instance="pve1:9100",'), values: `${old ?? '_'}x4 ${v}x6` };
      }),
    );
    const host = /host="([^"]*)"/.exec(samples(after, 'migratable_drift_events_total')[0][0])![1];
    const lost = value(after, 'migratable_host_cpu_features_lost', `host="${host}"`)!;
    const rule = (
      parseYaml(readFileSync(rulesFile, 'utf8')) as {
        groups: Array<{ rules: Array<{ alert?: string; annotations: Record<string, string> }> }>;
      }
    ).groups[0].rules.find((r) => r.alert === 'MigratableHostLostFeatures')!;
    const render = (t: string) => t.replaceAll('{{ $labels.host }}', host).replaceAll('{{ $value }}', String(lost));
    const test = {
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [
            { eval_time: '3m', alertname: 'MigratableHostLostFeatures', exp_alerts: [] },
            {
              eval_time: '7m',
              alertname: 'MigratableHostLostFeatures',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', job: 'node', instance: 'pve1:9100', host },
                  exp_annotations: {
                    summary: render(rule.annotations.summary),
                    description: render(rule.annotations.description),
                  },
                },
              ],
            },
          ],
          promql_expr_test: [
            {
              expr: `increase(migratable_drift_events_total{host="${host}"}[10m])`,
              eval_time: '10m',
              exp_samples: [{ labels: `{host="${host}",instance="pve1:9100",job="node"}`, value: 1 }],
            },
          ],
        },
      ],
    };
    const file = join(tmp, 'drift.test.yml');
    writeFileSync(file, JSON.stringify(test, null, 2)); // JSON is YAML
    const r = promtool(['test', 'rules', file]);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });
});
