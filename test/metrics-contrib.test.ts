/**
 * Issue 26: what contrib/ ships is checked by the tools that run it: the alert rules by promtool
 * (check rules, and test rules with series that fire and series that do not), the systemd units by
 * systemd-analyze verify.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { which } from '../src/qemu/binary.js';
import { cliPath } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';
import { havePromtool, promtool } from './helpers/prometheus.js';
import { available } from './helpers/qemu.js';

const contrib = join(repoRoot, 'contrib');
const tmp = mkdtempSync(join(tmpdir(), 'migratable-contrib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(havePromtool)('the alert rules', () => {
  it('promtool check rules accepts them', () => {
    const r = promtool(['check', 'rules', join(contrib, 'prometheus/migratable-alerts.yml')]);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 7 rules found/);
    expect(r.code).toBe(0);
  });

  it('promtool test rules: each alert fires where it should and nowhere else', () => {
    const r = promtool(['test', 'rules', 'migratable-alerts.test.yml'], undefined, join(contrib, 'prometheus'));
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  it('the rule test can fail: an alert expected where the series say otherwise', () => {
    const test = readFileSync(join(contrib, 'prometheus/migratable-alerts.test.yml'), 'utf8');
    // VM 103 reaches a node: expecting it to alert must fail
    const wrong = test.replace("vmid: '101'", "vmid: '103'");
    expect(wrong).not.toBe(test);
    writeFileSync(
      join(tmp, 'wrong.test.yml'),
      wrong.replace('- migratable-alerts.yml', `- ${join(contrib, 'prometheus/migratable-alerts.yml')}`),
    );
    const r = promtool(['test', 'rules', join(tmp, 'wrong.test.yml')]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/FAILED/);
  });
});

const systemdAnalyze = which('systemd-analyze');
describe.runIf(available('systemd-analyze (systemd)', systemdAnalyze !== null))('the systemd units', () => {
  it('systemd-analyze verify accepts the service and the timer', () => {
    // verify wants the commands to exist: migratable is the CLI as built here, behind a wrapper
    const bin = join(tmp, 'migratable');
    writeFileSync(bin, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"\n`);
    chmodSync(bin, 0o755);
    for (const unit of ['migratable-scan.service', 'migratable-scan.timer']) {
      const text = readFileSync(join(contrib, 'systemd', unit), 'utf8');
      writeFileSync(join(tmp, unit), text.replace(/^(ExecStart|ExecStopPost)=migratable /gm, `$1=${bin} `));
    }
    expect(readFileSync(join(tmp, 'migratable-scan.service'), 'utf8')).toContain(`ExecStopPost=${bin} metrics`);
    const r = spawnSync(
      systemdAnalyze!,
      ['verify', join(tmp, 'migratable-scan.service'), join(tmp, 'migratable-scan.timer')],
      {
        encoding: 'utf8',
        cwd: tmp,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the environment file sets exactly the variables the service reads', () => {
    copyFileSync(join(contrib, 'systemd/migratable.default'), join(tmp, 'default'));
    const vars = readFileSync(join(tmp, 'default'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    const service = readFileSync(join(contrib, 'systemd/migratable-scan.service'), 'utf8');
    const used = [...new Set([...service.matchAll(/\$([A-Z_]+)/g)].map((m) => m[1]))];
    expect(vars.sort()).toEqual(used.sort());
  });
});
