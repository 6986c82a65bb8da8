import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliAsync } from './helpers/cli.js';
import { haveGuestKernel, haveQemu, haveQemu10, qemu10Binary } from './helpers/qemu.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-verify-cli-'));

describe.skipIf(!(haveQemu && haveGuestKernel))('verify from the command line', () => {
  // Boots run through cliAsync: a spawnSync of a TCG boot on a busy machine starves vitest's worker messages
  it('boots a cpu-models.conf section the way Proxmox starts it, and the guest sees the promise', async () => {
    const conf = join(tmp, 'cpu-models.conf');
    writeFileSync(
      conf,
      '# a TCG-friendly model\ncpu-model: tcg-ok\n\tflags +ssse3;+sse4.1;+popcnt;-kvm_pv_unhalt\n\treported-model qemu64\n\ncpu-model: other\n\tflags +aes\n\n',
    );
    const several = cli(['verify', '--accel', 'tcg', conf]);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/several cpu-model sections \(tcg-ok, other\)/);
    const r = await cliAsync(['verify', '--accel', 'tcg', '--section', 'tcg-ok', '--json', conf]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe('match');
    for (const f of ['ssse3', 'sse4.1', 'popcnt']) expect(report.promised).toContain(f);
  });

  it("says which promised features TCG cannot provide (the bundled example's model)", async () => {
    const model = join(tmp, 'model.json');
    writeFileSync(model, cli(['baseline', 'examples/field-report-cluster', '--format', 'json']).stdout);
    const r = await cliAsync(['verify', '--accel', 'tcg', model]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/REFUSED/);
    expect(r.stdout).toMatch(/TCG cannot provide: .*tsc-deadline/);
  });

  it.skipIf(!haveQemu10)('boots with the QEMU --qemu-binary names (QEMU 10.0 beside the installed one)', async () => {
    const r = await cliAsync([
      'verify',
      '--accel',
      'tcg',
      '--json',
      '--qemu-binary',
      qemu10Binary!,
      'qemu64,+ssse3,+popcnt',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.qemu).toEqual({ binary: qemu10Binary, version: expect.stringMatching(/^10\.0\./) });
    expect(report.outcome).toBe('match');
    const bad = cli(['verify', '--qemu-binary', join(tmp, 'no-such-qemu'), 'qemu64']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--qemu-binary: .*no-such-qemu is not an executable file/);
  });
});
