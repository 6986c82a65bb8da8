import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { isProbeBundle, parseProbeBundle } from '../src/sources/probe-bundle.js';
import { runProbeLocally } from '../src/fleet/ssh/local-probe.js';

// A small but realistic bundle, shaped like the script's output on a Proxmox node.
const CPUINFO = `processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 33
model name\t: AMD Ryzen 9 5950X 16-Core Processor
stepping\t: 0
microcode\t: 0xa201016
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr sse sse2 svm
address sizes\t: 48 bits physical, 48 bits virtual

processor\t: 1
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 33
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr sse sse2 svm
address sizes\t: 48 bits physical, 48 bits virtual
`;

function bundle(qmpLines: string[] | null, qmpError: string | null = null): string {
  const parts = [
    '#migratable-probe 1',
    '#section hostname',
    'pve2',
    '',
    '#section kernel',
    '6.8.12-4-pve',
    '',
    '#section collected-at',
    '2025-03-01T10:00:00Z',
    '',
    '#section microcode',
    '0xa201016',
    '',
    '#section cpuinfo',
    CPUINFO,
    '#section vulnerability spectre_v2',
    'Mitigation: Retpolines; IBPB: conditional; IBRS_FW; STIBP: always-on; RSB filling',
    '',
    '#section vulnerability meltdown',
    'Not affected',
    '',
  ];
  if (qmpLines) parts.push('#section qmp', ...qmpLines);
  if (qmpError) parts.push('#section qmp-error', qmpError);
  parts.push('#end', '');
  return parts.join('\n');
}

const GREETING =
  '{"QMP": {"version": {"qemu": {"micro": 2, "minor": 1, "major": 9}, "package": "pve-qemu-kvm_9.1.2-3"}, "capabilities": ["oob"]}}';
const QMP_OK = [
  GREETING,
  '{"return": {}, "id": "caps"}',
  '{"return": {"qemu": {"micro": 2, "minor": 1, "major": 9}, "package": "pve-qemu-kvm_9.1.2-3"}, "id": "version"}',
  '{"return": {"model": {"name": "host", "props": {"sse2": true, "avx512f": false, "phys-bits": 0}}}, "id": "host"}',
  '{"return": [{"name": "EPYC-Milan", "unavailable-features": [], "static": false, "migration-safe": true}], "id": "definitions"}',
  '{"timestamp": {"seconds": 1740823200, "microseconds": 1}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}',
  '{"return": {}, "id": "quit"}',
];

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('parseProbeBundle', () => {
  it('reads every section of a complete bundle', () => {
    const probe = parseProbeBundle(bundle(QMP_OK), 'pve2.bundle');
    expect(probe).toEqual({
      formatVersion: 1,
      hostname: 'pve2',
      cpuinfo: CPUINFO.replace(/\n+$/, ''),
      vulnerabilities: {
        spectre_v2: 'Mitigation: Retpolines; IBPB: conditional; IBRS_FW; STIBP: always-on; RSB filling',
        meltdown: 'Not affected',
      },
      kernel: '6.8.12-4-pve',
      microcode: '0xa201016',
      collectedAt: '2025-03-01T10:00:00Z',
      qmp: {
        version: '9.1.2',
        hostExpansion: { name: 'host', props: { sse2: true, avx512f: false, 'phys-bits': 0 } },
        definitions: [{ name: 'EPYC-Milan', 'unavailable-features': [], static: false, 'migration-safe': true }],
      },
      qmpError: null,
      // a bundle from before the kvm and host-virtual sections
      kvm: null,
      virtualHints: null,
    });
  });

  it('reads the kvm and host-virtual sections; names sysfs cannot have are dropped', () => {
    const text = bundle(QMP_OK).replace(
      '#end',
      [
        '#section kvm',
        'device yes',
        'module kvm',
        'param kvm enable_pmu Y',
        'module kvm_amd',
        'param kvm_amd nested 1',
        'param kvm_amd odd value with spaces',
        'module __proto__',
        'param __proto__ polluted yes',
        'param kvm_amd Bad-Name 1',
        '',
        '#section host-virtual',
        'Hypervisor vendor:                       KVM',
        'Virtualization type:                     full',
        'dmi sys_vendor QEMU',
        'dmi product_name Standard PC (Q35 + ICH9, 2009)',
        'dmi product_version pc-q35-7.2',
        'dmi bios_vendor SeaBIOS',
        'dmi toString QEMU',
        'dmi chassis_vendor QEMU',
        '',
        '#end',
      ].join('\n'),
    );
    const probe = parseProbeBundle(text, 'x');
    expect(probe.kvm).toEqual({
      device: true,
      modules: { kvm: { enable_pmu: 'Y' }, kvm_amd: { nested: '1', odd: 'value with spaces' } },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(probe.virtualHints).toEqual({
      hypervisorVendor: 'KVM',
      dmiVendor: 'QEMU',
      dmiProduct: 'Standard PC (Q35 + ICH9, 2009)',
      dmiProductVersion: 'pc-q35-7.2',
      dmiBiosVendor: 'SeaBIOS',
    });
  });

  it('reads QMP lines a sanitizing printer wrote with an escaped CR (old `probe --bundle > file`)', () => {
    const probe = parseProbeBundle(bundle(QMP_OK.map((l) => l + '\\r')), 'x');
    expect(probe.qmpError).toBeNull();
    expect(probe.qmp?.version).toBe('9.1.2');
  });

  it('keeps QEMU trouble as qmpError, not as a failure of the bundle', () => {
    const skipped = parseProbeBundle(
      bundle(null, 'skipped: /dev/kvm is missing or not readable and writable by admin'),
      'x',
    );
    expect(skipped.qmp).toBeNull();
    expect(skipped.qmpError).toBe('skipped: /dev/kvm is missing or not readable and writable by admin');

    const refused = [
      GREETING,
      '{"return": {}, "id": "caps"}',
      '{"return": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, "id": "version"}',
      '{"error": {"class": "GenericError", "desc": "CPU model \'host\' requires KVM or HVF"}, "id": "host"}',
      '{"return": [], "id": "definitions"}',
    ];
    const probe = parseProbeBundle(bundle(refused), 'x');
    expect(probe.qmp).toEqual({ version: '7.2.0', hostExpansion: null, definitions: [] });
    expect(probe.qmpError).toBe("query-cpu-model-expansion: CPU model 'host' requires KVM or HVF");
  });

  it('survives a QMP line cut off by the timeout and says so', () => {
    const cut = [...QMP_OK.slice(0, 3), '{"return": {"model": {"name": "host", "props": {"sse2": tr'];
    const probe = parseProbeBundle(bundle(cut, '/usr/bin/kvm timed out after 8 s'), 'x');
    expect(probe.qmp?.version).toBe('9.1.2');
    expect(probe.qmp?.hostExpansion).toBeNull();
    expect(probe.qmpError).toBe(
      '/usr/bin/kvm timed out after 8 s; 1 QMP line(s) were not valid JSON (QEMU output cut off?); no reply to query-cpu-model-expansion; no reply to query-cpu-definitions',
    );
  });

  it('tolerates CRLF line ends and lines a login shell printed before the header', () => {
    const text = `Welcome to pve2!\n${bundle(QMP_OK)}`.replace(/\n/g, '\r\n');
    expect(isProbeBundle(text)).toBe(true);
    const probe = parseProbeBundle(text, 'x');
    expect(probe.hostname).toBe('pve2');
    expect(probe.cpuinfo).toBe(CPUINFO.replace(/\n+$/, ''));
    expect(probe.qmp?.hostExpansion?.props.sse2).toBe(true);
  });

  it('refuses a bundle cut off before #end, naming the last section', () => {
    const full = bundle(QMP_OK);
    const at = full.indexOf('#section vulnerability meltdown');
    const e = inputError(() => parseProbeBundle(full.slice(0, at + 35), 'pve3'));
    expect(e.message).toBe(
      'pve3: probe bundle is truncated after section "vulnerability meltdown": expected a final "#end" line (connection dropped or probe killed?)',
    );
    // A marker line cut in half is not a section: the last complete one is named.
    expect(inputError(() => parseProbeBundle(full.slice(0, at + 20), 'pve3')).message).toMatch(
      /truncated after section "vulnerability spectre_v2"/,
    );
    // "#end" without its final newline is still complete.
    expect(parseProbeBundle(full.replace(/\n$/, ''), 'pve3').hostname).toBe('pve2');
  });

  it('refuses things that are not bundles, newer formats, and empty cpuinfo', () => {
    expect(isProbeBundle(CPUINFO)).toBe(false);
    expect(inputError(() => parseProbeBundle(CPUINFO, 'cpuinfo.txt')).message).toBe(
      'cpuinfo.txt: not a migratable probe bundle: expected a first line "#migratable-probe N"',
    );
    expect(
      inputError(() => parseProbeBundle(bundle(null).replace('#migratable-probe 1', '#migratable-probe 7'), 'b'))
        .message,
    ).toMatch(/^b: probe bundle format 7 is newer than this migratable understands \(1\); upgrade migratable$/);
    const noCpu = bundle(null).replace(CPUINFO, '');
    expect(inputError(() => parseProbeBundle(noCpu, 'b')).message).toMatch(
      /cpuinfo section holds no "processor" lines/,
    );
    const noCpuSection = bundle(null).replace('#section cpuinfo', '#section something-else');
    expect(inputError(() => parseProbeBundle(noCpuSection, 'b')).message).toBe(
      'b: probe bundle has no "#section cpuinfo"',
    );
  });

  describe('on a real bundle from this machine', () => {
    let real = '';
    beforeAll(async () => {
      real = await runProbeLocally({ timeoutMs: 60_000 });
    });

    it('parses, and every truncation of it is refused rather than half-read', () => {
      expect(isProbeBundle(real)).toBe(true);
      expect(parseProbeBundle(real, 'local').cpuinfo).toMatch(/^processor\s*:/);
      // Cut at every section marker and a few places in between: each must throw InputError.
      const cuts = [...real.matchAll(/^#section /gm)].map((m) => m.index!);
      cuts.push(real.length - 6, Math.floor(real.length / 2), 30);
      for (const cut of cuts) {
        expect(() => parseProbeBundle(real.slice(0, cut), 'cut')).toThrow(InputError);
      }
    });
  });
});
