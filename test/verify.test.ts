import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { linuxFlag } from '../src/catalog/index.js';
import { InputError } from '../src/errors.js';
import { cpioNewc, type CpioEntry } from '../src/verify/cpio.js';
import {
  buildInitramfs,
  findBusybox,
  INIT_SCRIPT,
  MARK,
  parseGuestReport,
  staticElfProblem,
  type GuestReport,
} from '../src/verify/initramfs.js';
import { findKernel, parseRefusal } from '../src/verify/boot.js';
import { buildBootScript, phaseLimits } from '../src/verify/boot-script.js';
import {
  compareWithGuest,
  enforcedCpu,
  loadModelInput,
  qmpModelOf,
  verifyModel,
  visibleInCpuinfo,
} from '../src/verify/index.js';
import { renderJson, renderText, verifyExitCode } from '../src/verify/report.js';
import { haveCpio, haveGuestKernel, haveKvm, haveQemu } from './helpers/qemu.js';

const scratch = mkdtempSync(join(tmpdir(), 'verify-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A minimal newc reader, independent of the writer, to check the byte layout. */
function readNewc(buf: Buffer) {
  const out: { name: string; ino: number; mode: number; data: Buffer; headerAt: number }[] = [];
  let off = 0;
  for (;;) {
    expect(off % 4).toBe(0);
    expect(buf.toString('ascii', off, off + 6)).toBe('070701');
    const field = (i: number) => parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const namesize = field(11);
    const filesize = field(6);
    const name = buf.toString('utf8', off + 110, off + 110 + namesize - 1);
    expect(buf[off + 110 + namesize - 1]).toBe(0);
    const dataAt = off + 110 + namesize + ((4 - ((110 + namesize) % 4)) % 4);
    out.push({ name, ino: field(0), mode: field(1), data: buf.subarray(dataAt, dataAt + filesize), headerAt: off });
    off = dataAt + filesize + ((4 - (filesize % 4)) % 4);
    if (name === 'TRAILER!!!') break;
  }
  expect(off).toBe(buf.length);
  return out;
}

const sample: CpioEntry[] = [
  { type: 'dir', path: 'etc' },
  { type: 'file', path: 'etc/motd', data: 'hello\n' },
  { type: 'file', path: 'etc/odd', data: Buffer.from([1, 2, 3]), mode: 0o600 },
  { type: 'dir', path: 'bin', mode: 0o700 },
  { type: 'file', path: 'bin/run', data: '#!/bin/sh\necho run\n', mode: 0o755 },
  { type: 'symlink', path: 'bin/link', target: 'run' },
];

describe('cpio newc writer', () => {
  it('lays out headers, names and data on 4-byte boundaries and ends with the trailer', () => {
    const entries = readNewc(cpioNewc(sample));
    expect(entries.map((e) => e.name)).toEqual([
      'etc',
      'etc/motd',
      'etc/odd',
      'bin',
      'bin/run',
      'bin/link',
      'TRAILER!!!',
    ]);
    expect(entries.map((e) => e.ino)).toEqual([1, 2, 3, 4, 5, 6, 0]);
    expect(entries[2].mode).toBe(0o100600);
    expect(entries[3].mode).toBe(0o040700);
    expect(entries[5].mode).toBe(0o120777);
    expect(entries[5].data.toString()).toBe('run');
    expect(entries[2].data).toEqual(Buffer.from([1, 2, 3]));
  });

  it('is deterministic', () => {
    expect(cpioNewc(sample).equals(cpioNewc(sample))).toBe(true);
    expect(cpioNewc(sample, { mtime: 5 }).equals(cpioNewc(sample))).toBe(false);
  });

  it('refuses archives the kernel would unpack wrongly', () => {
    expect(() => cpioNewc([{ type: 'file', path: 'a/b', data: '' }])).toThrow(/before its directory "a"/);
    expect(() => cpioNewc([{ type: 'file', path: '/abs', data: '' }])).toThrow(/bad path/);
    expect(() => cpioNewc([{ type: 'file', path: 'x/../y', data: '' }])).toThrow(/bad path/);
    expect(() =>
      cpioNewc([
        { type: 'dir', path: 'd' },
        { type: 'dir', path: 'd' },
      ]),
    ).toThrow(/duplicate/);
  });

  it.skipIf(!haveCpio)('round-trips through the real cpio, gzip included', () => {
    const archive = join(scratch, 'sample.cpio.gz');
    writeFileSync(archive, gzipSync(cpioNewc(sample)));
    const listing = execFileSync('cpio', ['-t', '--quiet'], { input: gunzipSync(readFileSync(archive)) })
      .toString()
      .trim()
      .split('\n');
    expect(listing).toEqual(['etc', 'etc/motd', 'etc/odd', 'bin', 'bin/run', 'bin/link']);
    const dest = join(scratch, 'out');
    mkdirSync(dest);
    execFileSync('cpio', ['-i', '-d', '--quiet', '--no-absolute-filenames'], {
      cwd: dest,
      input: gunzipSync(readFileSync(archive)),
    });
    expect(readFileSync(join(dest, 'etc/motd'), 'utf8')).toBe('hello\n');
    expect([...readFileSync(join(dest, 'etc/odd'))]).toEqual([1, 2, 3]);
    expect(statSync(join(dest, 'etc/odd')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dest, 'bin/run')).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(dest, 'bin/link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, 'bin/link'))).toBe('run');
  });
});

describe('initramfs', () => {
  it('tells a static ELF from a dynamic one and from a non-ELF', () => {
    expect(staticElfProblem(process.execPath)).toMatch(/dynamically linked/);
    const text = join(scratch, 'not-elf');
    writeFileSync(text, '#!/bin/sh\n'.padEnd(80, '#'));
    expect(staticElfProblem(text)).toMatch(/not an ELF/);
    expect(() => findBusybox(process.execPath)).toThrow(/dynamically linked.*busybox-static/);
    expect(() => findBusybox(join(scratch, 'nope'))).toThrow(InputError);
  });

  it('finds a static busybox and packs it with /init', () => {
    const busybox = findBusybox();
    expect(staticElfProblem(busybox)).toBeNull();
    const entries = readNewc(gunzipSync(buildInitramfs(readFileSync(busybox))));
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('init')?.mode).toBe(0o100755);
    expect(byName.get('init')?.data.toString()).toBe(INIT_SCRIPT);
    expect(byName.get('bin/sh')?.data.toString()).toBe('busybox');
    expect(byName.get('bin/busybox')?.data.length).toBe(statSync(busybox).size);
    expect(buildInitramfs(readFileSync(busybox)).equals(buildInitramfs(readFileSync(busybox)))).toBe(true);
  });

  it('parses the guest report out of console noise and notices garbling', () => {
    const report = [
      '[    1.234] random: crng init done',
      `${MARK}-BEGIN`,
      `${MARK} kernel 6.1.0-56-amd64`,
      `${MARK} cpuinfo vendor_id\t: GenuineIntel`,
      'noise in between',
      `${MARK} cpuinfo model name\t: Westmere E56xx/L56xx/X56xx (Nehalem-C)`,
      `${MARK} nflags 3`,
      `${MARK} cpuinfo flags\t\t: fpu sse rep_good`,
      `${MARK} vuln meltdown: Mitigation: PTI`,
      `${MARK}-END`,
      '[    2.0] reboot: Power down',
    ].join('\r\n');
    const view = parseGuestReport(report)!;
    expect(view).toMatchObject({
      kernel: '6.1.0-56-amd64',
      vendor: 'GenuineIntel',
      modelName: 'Westmere E56xx/L56xx/X56xx (Nehalem-C)',
      flags: ['fpu', 'sse', 'rep_good'],
    });
    expect(view.vulnerabilities).toEqual({ meltdown: 'Mitigation: PTI' });
    expect(parseGuestReport(report.replace(`${MARK}-END`, ''))).toBeNull();
    expect(() => parseGuestReport(report.replace('nflags 3', 'nflags 4'))).toThrow(/garbled/);
  });
});

describe('model input and comparison', () => {
  it('parses -cpu strings like QEMU does', () => {
    expect(
      qmpModelOf('Westmere,+avx,-aes,sse4_1=off,pcid=on,level=13,vendor=AuthenticAMD,x2apic,enforce,check=off'),
    ).toEqual({
      name: 'Westmere',
      props: { avx: true, aes: false, 'sse4-1': false, pcid: true, level: 13, vendor: 'AuthenticAMD', x2apic: true },
    });
    expect(() => qmpModelOf('Westmere,,aes')).toThrow(InputError);
    expect(() => qmpModelOf('-cpu Westmere')).toThrow(InputError);
    expect(enforcedCpu('Westmere,check,+aes')).toBe('Westmere,+aes,enforce');
  });

  it('loads a model from a string or from baseline JSON', () => {
    expect(loadModelInput('EPYC-Rome,-xsaves')).toEqual({ cpu: 'EPYC-Rome,-xsaves', source: 'argument' });
    const good = join(scratch, 'baseline.json');
    writeFileSync(good, JSON.stringify({ cpu: 'Westmere,-aes', other: 1 }));
    expect(loadModelInput(good).cpu).toBe('Westmere,-aes');
    const bad = join(scratch, 'bad.json');
    writeFileSync(bad, '{"model": "x"}');
    expect(() => loadModelInput(bad)).toThrow(/no "cpu" string/);
    writeFileSync(bad, 'cpu: Westmere');
    expect(() => loadModelInput(bad)).toThrow(/not JSON/);
    expect(() => loadModelInput(join(scratch, 'missing.json'))).toThrow(/no such file/);
  });

  it('parses QEMU refusals verbatim, named and unnamed bits', () => {
    const stderr = [
      "qemu-system-x86_64: warning: TCG doesn't support requested feature: CPUID.01H:ECX.x2apic [bit 21]",
      "qemu-system-x86_64: warning: TCG doesn't support requested feature: CPUID.01H:ECX.sse4.1 [bit 19]",
      "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.0DH:EAX [bit 9]",
      "qemu-system-x86_64: warning: host doesn't support requested feature: MSR(10AH).mds-no [bit 5]",
      "qemu-system-x86_64: TCG doesn't support requested features",
    ].join('\n');
    const r = parseRefusal(stderr)!;
    expect(r.features).toEqual(['x2apic', 'sse4.1', 'CPUID.0DH:EAX[9]', 'mds-no']);
    expect(r.lines).toEqual(stderr.split('\n').slice(0, 4));
    expect(parseRefusal("qemu-system-x86_64: unable to find CPU model 'Foo'")).toBeNull();
  });

  it('keeps features cpuinfo cannot show apart from absent ones', () => {
    expect(visibleInCpuinfo('kvmclock', '6.1.0')).toBe(false);
    expect(visibleInCpuinfo('mds-no', '6.1.0')).toBe(false);
    expect(visibleInCpuinfo('spec-ctrl', '6.1.0-56-amd64')).toBe(false);
    expect(visibleInCpuinfo('spec-ctrl', '4.9.0')).toBe(true);
    expect(visibleInCpuinfo('sse4.1', '6.1.0')).toBe(true);
    const guest: GuestReport = {
      kernel: '6.1.0',
      vendor: 'AuthenticAMD',
      modelName: 'x',
      flags: ['fpu', 'lm', 'rep_good', 'constant_tsc', '3dnowprefetch', 'sse4_1', 'avx2', 'pku', 'ospke', 'ibrs'],
      vulnerabilities: {},
      cpuinfo: {},
    };
    const c = compareWithGuest(['fpu', 'lm', 'sse4.1', 'pku', 'kvmclock', 'spec-ctrl', 'x2apic'], guest);
    expect(c.absent).toEqual(['x2apic']);
    expect(c.extra).toEqual(['avx2']);
    expect(c.notVisible).toEqual(['kvmclock', 'spec-ctrl']);
    expect(Object.keys(c.kernelImplied).sort()).toEqual(['3dnowprefetch', 'ospke']);
  });

  it('picks the newest kernel in a boot directory and rejects a missing one', () => {
    const boot = join(scratch, 'boot');
    mkdirSync(boot);
    for (const v of ['6.1.0-9-amd64', '6.1.0-56-amd64', '5.10.0-30-amd64'])
      writeFileSync(join(boot, `vmlinuz-${v}`), '');
    writeFileSync(join(boot, 'config-6.1.0-99-amd64'), '');
    expect(findKernel(undefined, boot)).toBe(join(boot, 'vmlinuz-6.1.0-56-amd64'));
    expect(() => findKernel(join(scratch, 'no-kernel'))).toThrow(InputError);
    expect(() => findKernel(undefined, join(scratch, 'empty'))).toThrow(/linux-image-amd64/);
  });

  it('builds a boot script with no value outside its safe shapes', () => {
    const base = {
      qmpModel: { name: 'Westmere', props: {} },
      accel: 'tcg' as const,
      limits: { kvm: phaseLimits(60_000), tcg: phaseLimits(90_000) },
      initrd: new Uint8Array([1, 2, 3]),
    };
    const script = buildBootScript({ ...base, cpu: 'Westmere,enforce' });
    expect(script).toContain("CPU='Westmere,enforce'");
    expect(script).toContain('-nodefaults');
    expect(script).toContain('-no-reboot');
    for (const cpu of ["Westmere,x';reboot;'", 'Westmere,$(reboot)', 'Westmere\nreboot'])
      expect(() => buildBootScript({ ...base, cpu }), cpu).toThrow(/characters/);
    expect(() => buildBootScript({ ...base, cpu: 'qemu64', kernel: "/boot/x'y" })).toThrow(/characters/);
    // per-phase limits: a third of the total for firmware and init, two thirds for the kernel
    expect(phaseLimits(90_000)).toEqual({ firmware: 30_000, kernel: 60_000, init: 30_000, total: 90_000 });
    expect(phaseLimits(90_000, { kernel: 5000 }).kernel).toBe(5000);
  });
});

/** QEMU processes still running with a command line mentioning `needle`. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) found.push(pid);
    } catch {
      // gone already
    }
  }
  return found;
}

const canBoot = haveQemu && haveGuestKernel;
/** TCG boots take ~10 s on an idle 2-core machine and several times that when it is busy. */
const BOOT_TIMEOUT = 150_000;

describe.skipIf(!canBoot)('real guests', () => {
  it('under TCG, Westmere boots and the guest sees exactly the promise', { timeout: 200_000 }, async () => {
    const r = await verifyModel({ cpu: 'Westmere', accel: 'tcg', timeoutMs: BOOT_TIMEOUT });
    console.log(`TCG Westmere boot: ${r.bootMs} ms`);
    expect(r.failure).toBeNull();
    expect(r.outcome).toBe('match');
    expect(r.started).toBe(true);
    expect(r.guest?.vendor).toBe('GenuineIntel');
    expect(r.guest?.modelName).toBe('Westmere E56xx/L56xx/X56xx (Nehalem-C)');
    expect(r.guest?.kernel).toMatch(/^\d+\.\d+/);
    expect(Object.keys(r.guest?.vulnerabilities ?? {})).toContain('meltdown');
    // The guest's CPUID flags, as QEMU names, are the promise itself
    const shown = r
      .guest!.flags.map((f) => linuxFlag(f))
      .filter((l) => l?.kind === 'cpuid')
      .map((l) => l!.feature);
    expect(new Set(shown)).toEqual(new Set(r.promised));
    expect(r.promised).toContain('sse4.2');
    expect(r.promised).not.toContain('avx');
    expect(verifyExitCode(r)).toBe(0);
    expect(renderText(r)).toMatch(/verdict +OK/);
    expect(JSON.parse(renderJson(r)).outcome).toBe('match');
    // nothing left behind: the temp dir is gone and no QEMU still uses it
    const dir = r.qemuArgv[r.qemuArgv.indexOf('-initrd') + 1].replace(/\/initrd\.gz$/, '');
    expect(existsSync(dir)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('under TCG, Haswell-noTSX+avx512f is refused and QEMU names what TCG lacks', async () => {
    const r = await verifyModel({ cpu: 'Haswell-noTSX,+avx512f,check', accel: 'tcg', timeoutMs: BOOT_TIMEOUT });
    expect(r.outcome).toBe('refused');
    expect(r.started).toBe(false);
    expect(r.bootedCpu).toBe('Haswell-noTSX,+avx512f,enforce');
    expect(r.refusal?.features).toEqual(['pcid', 'x2apic', 'tsc-deadline', 'invpcid', 'avx512f']);
    expect(
      r.refusal?.lines.some((l) =>
        /: warning: TCG doesn't support requested feature: CPUID\.01H:ECX\.x2apic \[bit 21\]$/.test(l),
      ),
    ).toBe(true);
    expect(r.refusal?.summary).toMatch(/TCG doesn't support requested features$/);
    expect(r.promised).toEqual(expect.arrayContaining(['avx512f', 'x2apic', 'avx2']));
    expect(r.notes.join(' ')).toMatch(/TCG cannot provide: pcid, x2apic, tsc-deadline, invpcid, avx512f/);
    expect(verifyExitCode(r)).toBe(1);
    expect(renderText(r)).toMatch(/missing +pcid x2apic tsc-deadline invpcid avx512f/);
  });

  it('kills a guest that runs past its timeout and cleans up', async () => {
    const r = await verifyModel({ cpu: 'qemu64', accel: 'tcg', timeoutMs: 1500 });
    expect(r.outcome).toBe('timeout');
    // the phase limits derive from the total (at least 1 s each): it stops in the firmware or the kernel
    expect(r.failure).toMatch(/stuck in the (firmware|kernel) phase|did not power off within/);
    expect(r.phases[0]).toMatchObject({ name: 'firmware', startMs: 0 });
    expect(verifyExitCode(r)).toBe(1);
    const dir = r.qemuArgv[r.qemuArgv.indexOf('-initrd') + 1].replace(/\/initrd\.gz$/, '');
    expect(existsSync(dir)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('rejects an unknown model or feature as bad input', async () => {
    await expect(verifyModel({ cpu: 'NoSuchCPU', accel: 'tcg' })).rejects.toThrow(InputError);
    await expect(verifyModel({ cpu: 'Westmere,+no-such-feature', accel: 'tcg' })).rejects.toThrow(/not found/);
  });

  it.skipIf(!haveKvm)('under KVM, qemu64 either matches or the report says what the host lacks', async () => {
    const r = await verifyModel({ cpu: 'qemu64', accel: 'kvm', timeoutMs: 60_000 });
    console.log(
      `KVM qemu64: ${r.outcome} in ${r.durationMs} ms${r.refusal ? `, missing ${r.refusal.features.join(' ')}` : ''}`,
    );
    // under KVM the promise has QEMU's KVM defaults, which cpuinfo never shows
    expect(r.promised).toEqual(expect.arrayContaining(['kvmclock', 'x2apic']));
    if (r.outcome === 'refused') {
      expect(r.refusal!.features.length).toBeGreaterThan(0);
      for (const line of r.refusal!.lines) expect(line).toMatch(/host doesn't support requested feature/);
      for (const f of r.refusal!.features) expect(r.promised).toContain(f);
    } else if (r.outcome === 'timeout') {
      // a KVM that takes the model but cannot run a stock guest kernel (a paravirtual module, a VM):
      // allowed only when verify says so and where it stood
      expect(r.stuckIn).not.toBeNull();
      expect(r.advice.join(' ')).toMatch(/is served by kvm_(?!intel|amd)|itself a VM/);
      expect(r.advice.join(' ')).toMatch(/--accel tcg/);
    } else {
      expect(r.outcome).toMatch(/^(match|mismatch)$/);
      expect(r.comparison?.notVisible).toEqual(expect.arrayContaining(['kvmclock']));
    }
  });
});
