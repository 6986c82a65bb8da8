import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { cpuFromArgs, parseCpuProperty, parseVmConfig, splitArgs } from '../src/formats/pve-vm-config.js';

const base = `boot: order=scsi0;net0
cores: 4
memory: 8192
meta: creation-qemu=9.0.2,ctime=1726050000
name: web01
net0: virtio=BC:24:11:3A:5C:7E,bridge=vmbr0,firewall=1
numa: 0
ostype: l26
scsi0: local-lvm:vm-101-disk-0,iothread=1,size=32G
scsihw: virtio-scsi-single
smbios1: uuid=3f0e6a2c-7d1b-4b8e-9c55-0a1f2e3d4c5b
sockets: 1
vmgenid: 6b2f1c1e-0a9d-4f7e-8a3b-2c4d5e6f7a8b
`;

describe('parseVmConfig', () => {
  it('handles a config without cpu line', () => {
    const c = parseVmConfig(base, '101.conf', 101);
    expect(c).toMatchObject({ vmid: 101, name: 'web01', ostype: 'l26', warnings: [] });
    expect(c.cpu).toBeUndefined();
    expect(c.args).toBeUndefined();
    expect(c.raw.memory).toBe('8192');
    expect(c.raw.boot).toBe('order=scsi0;net0');
  });

  it.each([
    ['host', { type: 'host', flags: [] }],
    ['x86-64-v2-AES', { type: 'x86-64-v2-AES', flags: [] }],
    ['custom-foo,flags=+aes', { type: 'custom-foo', customModel: 'foo', flags: ['+aes'] }],
    ['kvm64,flags=+pcid;+spec-ctrl', { type: 'kvm64', flags: ['+pcid', '+spec-ctrl'] }],
    [
      'cputype=Skylake-Server-v4,phys-bits=host,hidden=1',
      { type: 'Skylake-Server-v4', flags: [], physBits: 'host', hidden: true },
    ],
    [
      'flags=+md-clear,custom-x,phys-bits=42,hv-vendor-id=abc,guest-phys-bits=40,level=30',
      {
        type: 'custom-x',
        customModel: 'x',
        flags: ['+md-clear'],
        physBits: 42,
        hvVendorId: 'abc',
        guestPhysBits: 40,
        level: 30,
      },
    ],
    ['flags=+aes', { type: 'kvm64', flags: ['+aes'] }],
  ])('cpu: %s', (value, expected) => {
    const c = parseVmConfig(base + `cpu: ${value}\n`, '101.conf');
    expect(c.cpu).toEqual(expected);
    expect(c.raw.cpu).toBe(value);
  });

  it('extracts -cpu from args', () => {
    const c = parseVmConfig(base + 'args: -cpu kvm64,+sse4.2\n', '101.conf');
    expect(c.args).toEqual(['-cpu', 'kvm64,+sse4.2']);
    expect(c.argsCpu).toBe('kvm64,+sse4.2');
  });

  it('ignores snapshot and pending sections', () => {
    const text =
      base +
      'cpu: x86-64-v2-AES\nparent: before-upgrade\n\n[before-upgrade]\ncpu: host\nargs: -cpu max\nname: old\nsnaptime: 1726050001\nrunningcpu: host,+kvm_pv_eoi\n\n[PENDING]\ncpu: kvm64\n';
    const c = parseVmConfig(text, '101.conf');
    expect(c.cpu?.type).toBe('x86-64-v2-AES');
    expect(c.name).toBe('web01');
    expect(c.args).toBeUndefined();
    expect(c.raw.snaptime).toBeUndefined();
    expect(c.raw.parent).toBe('before-upgrade');
  });

  it('collects the description from # lines (URI-decoded)', () => {
    const c = parseVmConfig('#Web server%3A prod\n#owner: ops\n' + base, '101.conf');
    expect(c.description).toBe('Web server: prod\nowner: ops');
  });

  it('warns about unparseable lines instead of failing (as PVE does)', () => {
    const c = parseVmConfig(base + 'this is junk\nmemory: 4096\n', '101.conf');
    expect(c.warnings).toEqual([
      'line 14: cannot parse "this is junk"',
      "line 15: 'memory' set again; the last value wins",
    ]);
    expect(c.raw.memory).toBe('4096');
  });

  it.each([
    ['host,flags=+aes;avx', /line 14: cpu: invalid flag "avx"/],
    ['host,bogus=1', /invalid key 'bogus'/],
    ['host,x86-64-v3', /duplicate key 'cputype'/],
    ['host,phys-bits=100', /phys-bits must be 8-64/],
    // validate_vm_cpu_conf: only CPUFlags.pm's set, no reported-model, an existing built-in type
    ['host,flags=+avx2', /VM-specific CPU flags must be a subset of: .*aes.*\(not \+avx2\)/],
    ['host,reported-model=athlon', /'reported-model' not allowed/],
    ['Nosuchmodel', /Built-in cputype 'Nosuchmodel' is not defined/],
    ['haswell', /Built-in cputype 'haswell'/],
  ])('drops cpu: %s as qemu-server does, with a warning: the VM runs kvm64', (value, re) => {
    const c = parseVmConfig(base + `cpu: ${value}\n`, '101.conf');
    expect(c.cpu).toBeUndefined();
    expect(c.invalidCpu).toBe(value);
    expect(c.raw.cpu).toBe(value);
    expect(c.warnings.join('\n')).toMatch(re);
    expect(c.warnings.join('\n')).toMatch(/qemu-server drops this value .* the default kvm64/);
  });

  it('keeps an earlier valid cpu: when a later one is dropped, as parse_vm_config leaves the key alone', () => {
    const c = parseVmConfig(base + 'cpu: x86-64-v2-AES\ncpu: host,flags=+avx2\n', '101.conf');
    expect(c.cpu?.type).toBe('x86-64-v2-AES');
    expect(c.warnings.join('\n')).toMatch(/runs with the cpu: line before it/);
  });

  it('accepts every VM-specific flag of qemu-server 9.2.6', () => {
    const flags =
      'nested-virt;md-clear;pcid;spec-ctrl;ssbd;ibpb;virt-ssbd;amd-ssbd;amd-no-ssb;pdpe1gb;hv-tlbflush;hv-evmcs;aes';
    const c = parseVmConfig(base + `cpu: host,flags=${flags.replace(/(^|;)/g, '$1+')}\n`, '101.conf');
    expect(c.cpu?.flags).toHaveLength(13);
    expect(c.warnings).toEqual([]);
  });

  it('still refuses what is no cpu: matter', () => {
    expect(() => parseVmConfig(base + "args: -cpu 'kvm64\n", '101.conf')).toThrow(
      /line 14: args: unterminated ' quote/,
    );
    expect(() => parseVmConfig(base + "args: -cpu 'kvm64\n", '101.conf')).toThrow(InputError);
  });
});

describe('splitArgs / cpuFromArgs', () => {
  it.each<[string, string[]]>([
    ['-cpu kvm64,+sse4.2', ['-cpu', 'kvm64,+sse4.2']],
    ["-no-reboot -smbios 'type=0,vendor=FOO'", ['-no-reboot', '-smbios', 'type=0,vendor=FOO']],
    ['-a "x y" z', ['-a', 'x y', 'z']],
    ['-a "say \\"hi\\"" b\\ c', ['-a', 'say "hi"', 'b c']],
    ["-a 'it''s'", ['-a', 'its']],
    ['  -a   \'a b\'"c d"e  ', ['-a', 'a bc de']],
    ["-a '$HOME' `x`", ['-a', '$HOME', '`x`']],
    ['', []],
  ])('splits %s', (s, expected) => {
    expect(splitArgs(s)).toEqual(expected);
  });

  it('takes the last -cpu, since QEMU does', () => {
    expect(cpuFromArgs(['-cpu', 'a', '-smp', '2', '--cpu', 'b'])).toBe('b');
    expect(cpuFromArgs(['-smp', '2'])).toBeUndefined();
  });

  it('rejects unterminated double quotes', () => {
    expect(() => splitArgs('-a "x')).toThrow(/unterminated " quote/);
  });

  it('parseCpuProperty keeps the default cputype when only options are given', () => {
    expect(parseCpuProperty('phys-bits=40').type).toBe('kvm64');
  });
});
