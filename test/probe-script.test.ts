import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROBE_FORMAT_VERSION, PROBE_SCRIPT } from '../src/sources/probe-script.js';
import { parseProbeBundle } from '../src/sources/probe-bundle.js';
import { runProbeLocally } from '../src/fleet/ssh/local-probe.js';
import { findQemu, kvmUsable } from '../src/qemu/binary.js';
import { stableCpuinfo } from './helpers/stable-cpuinfo.js';
import { haveKvm } from './helpers/qemu.js';

const VULN_DIR = '/sys/devices/system/cpu/vulnerabilities';
const qemuHere = findQemu() !== null && kvmUsable();
const tmp = mkdtempSync(join(tmpdir(), 'migratable-probe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the script with `shell -s`, script on stdin, the way ssh runs it remotely. */
function runWith(shell: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(shell[0], [...shell.slice(1), '-s'], {
    input: PROBE_SCRIPT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('probe script', () => {
  it('has no bash-isms that dash rejects (dash -n)', () => {
    const r = spawnSync('dash', ['-n'], { input: PROBE_SCRIPT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  for (const shell of [['dash'], ['busybox', 'sh']]) {
    it(`collects this machine's facts under ${shell.join(' ')}`, () => {
      const bundle = runWith(shell);
      expect(bundle.split('\n')[0]).toBe(`#migratable-probe ${PROBE_FORMAT_VERSION}`);
      const probe = parseProbeBundle(bundle, shell.join(' '));
      expect(probe.formatVersion).toBe(PROBE_FORMAT_VERSION);
      expect(stableCpuinfo(probe.cpuinfo)).toBe(stableCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')));
      expect(probe.kernel).toBe(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
      expect(probe.hostname).toBe(execFileSync('uname', ['-n'], { encoding: 'utf8' }).trim());
      expect(Date.parse(probe.collectedAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
      expect(probe.collectedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const expected = Object.fromEntries(
        readdirSync(VULN_DIR).map((f) => [f, readFileSync(join(VULN_DIR, f), 'utf8').trim()]),
      );
      expect(probe.vulnerabilities).toEqual(expected);
      // the kvm section says what /sys/module and /dev/kvm say here
      expect(probe.kvm?.device).toBe(existsSync('/dev/kvm'));
      const modules = readdirSync('/sys/module').filter((m) => m === 'kvm' || m.startsWith('kvm_'));
      expect(Object.keys(probe.kvm?.modules ?? {}).sort()).toEqual(modules.sort());
      expect(probe.virtualHints).not.toBeNull();
      if (qemuHere) {
        expect(probe.qmpError).toBeNull();
        expect(probe.qmp?.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(probe.qmp?.hostExpansion?.name).toBe('host');
        expect(Object.keys(probe.qmp?.hostExpansion?.props ?? {}).length).toBeGreaterThan(50);
        expect(probe.qmp?.definitions?.some((d) => d.name === 'qemu64')).toBe(true);
      } else {
        expect(probe.qmp).toBeNull();
        expect(probe.qmpError).toMatch(/skipped/);
      }
    });
  }

  it('runs on a busybox-only userland (busybox applets first on PATH)', () => {
    const bin = join(tmp, 'bb');
    execFileSync('mkdir', ['-p', bin]);
    for (const applet of ['sh', 'cat', 'hostname', 'uname', 'date', 'grep', 'id', 'timeout', 'printf'])
      symlinkSync('/bin/busybox', join(bin, applet));
    const bundle = runWith([join(bin, 'sh')], { PATH: bin });
    const probe = parseProbeBundle(bundle, 'busybox');
    expect(stableCpuinfo(probe.cpuinfo)).toBe(stableCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')));
    if (qemuHere) expect(probe.qmp?.hostExpansion?.name).toBe('host');
  });

  it.skipIf(!haveKvm)('reports why QEMU failed in a qmp-error section', () => {
    const bin = join(tmp, 'failing-qemu');
    execFileSync('mkdir', ['-p', bin]);
    const fake = join(bin, 'qemu-system-x86_64');
    writeFileSync(
      fake,
      '#!/bin/sh\necho "qemu-system-x86_64: -machine none,accel=kvm: failed to initialize kvm: Permission denied" >&2\nexit 1\n',
    );
    chmodSync(fake, 0o755);
    const probe = parseProbeBundle(runWith(['dash'], { PATH: `${bin}:${process.env.PATH}` }), 'fake');
    expect(probe.qmp).toBeNull();
    expect(probe.qmpError).toBe(
      `${fake} exited with status 1 | qemu-system-x86_64: -machine none,accel=kvm: failed to initialize kvm: Permission denied`,
    );
  });

  it.skipIf(!haveKvm)('never hangs on a stuck QEMU: timeout(1) ends it and says so', () => {
    const bin = join(tmp, 'hanging-qemu');
    execFileSync('mkdir', ['-p', bin]);
    const fake = join(bin, 'qemu-system-x86_64');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 120\n');
    chmodSync(fake, 0o755);
    const started = Date.now();
    const probe = parseProbeBundle(runWith(['dash'], { PATH: `${bin}:${process.env.PATH}` }), 'fake');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(probe.qmp).toBeNull();
    expect(probe.qmpError).toMatch(/timed out after \d+ s/);
    expect(stableCpuinfo(probe.cpuinfo)).toBe(stableCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')));
  });
});

describe('runProbeLocally', () => {
  it('returns a bundle of this machine', async () => {
    const bundle = await runProbeLocally({ timeoutMs: 60_000 });
    const probe = parseProbeBundle(bundle, 'local');
    expect(stableCpuinfo(probe.cpuinfo)).toBe(stableCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')));
  });

  it('fails with one line when the probe cannot finish in time', async () => {
    await expect(runProbeLocally({ timeoutMs: 1 })).rejects.toThrow(/^probe script did not finish within 1 ms$/);
  });
});
