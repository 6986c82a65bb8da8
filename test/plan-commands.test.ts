/**
 * The commands a plan prints: only VM ids qm takes become `qm set` lines (other *.conf names in a
 * /etc/pve copy are skipped with a note, as pmxcfs does), and the --write-models path is quoted for
 * the shell.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-plan-commands-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('only real VM ids become qm set lines', () => {
  it('0.conf and 99999999999999999999999.conf in a /etc/pve copy are skipped with a note', () => {
    const copy = join(tmp, 'etc-pve');
    cpSync(etcPveCopy('pve9'), copy, { recursive: true });
    const qs = join(copy, 'nodes', 'pve1', 'qemu-server');
    const config = readFileSync(
      join(
        qs,
        readdirSync(qs).find((f) => f.endsWith('.conf'))!,
      ),
      'utf8',
    );
    const plan = () => {
      const r = cli(['plan', clusterHostsDir(), '--pve-config', copy, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      for (const vm of (JSON.parse(r.stdout) as { vms: Array<{ vmid: number }> }).vms)
        expect(String(vm.vmid)).toMatch(/^[1-9]\d{2,8}$/);
      expect(r.stdout).not.toMatch(/qm set (1e\+23|0|12) /);
    };
    for (const f of ['0.conf', '99999999999999999999999.conf', '12.conf']) writeFileSync(join(qs, f), config);
    plan();
    // pmxcfs does not read 0101.conf as VM 101 either (a leading zero): no clash with 101.conf
    writeFileSync(join(qs, '0101.conf'), config);
    plan();
    const text = cli(['plan', clusterHostsDir(), '--pve-config', copy]);
    expect(text.stdout).toContain('99999999999999999999999.conf: skipped');
    expect(text.stdout).toContain('0.conf: skipped');
  });
});

describe('--write-models DIR in the printed commands', () => {
  it('is quoted for the shell: the command names exactly the file written', () => {
    const dir = join(tmp, `models dir 'with' $(touch pwned) ;x`);
    const r = cli([
      'plan',
      clusterHostsDir(),
      '--pve-config',
      etcPveCopy('pve9'),
      '--format',
      'json',
      '--write-models',
      dir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const applies = (JSON.parse(r.stdout) as { vms: Array<{ commands: string[] }> }).vms
      .flatMap((v) => v.commands)
      .filter((c) => c.startsWith('migratable apply '));
    expect(applies.length).toBeGreaterThan(0);
    for (const c of applies) {
      // what a shell makes of the argument: one word, the path of a file the plan wrote
      const words = spawnSync('sh', ['-c', `printf '%s\\n' ${c.slice('migratable apply '.length)}`], {
        cwd: tmp,
        encoding: 'utf8',
      })
        .stdout.trimEnd()
        .split('\n');
      expect(words).toHaveLength(1);
      expect(existsSync(words[0]), words[0]).toBe(true);
    }
    expect(existsSync(join(tmp, 'pwned'))).toBe(false);
  });
});
