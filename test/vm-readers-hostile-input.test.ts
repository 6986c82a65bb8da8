/**
 * Finding 7: the VM readers are total over their input types. Whatever a libvirt domain, a Proxmox
 * VM config or a -cpu string holds, the reader answers with a VM or a one-line InputError (exit 2
 * through the CLI), never a TypeError.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { readVmsFromText } from '../src/sources/vm/index.js';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const hosts = join(repoRoot, 'examples/field-report-cluster');
const tmp = mkdtempSync(join(tmpdir(), 'migratable-vm-readers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const domain = (cpu: string) => `<domain type='kvm'><name>vm1</name>${cpu}</domain>`;

/** A VM, or a one-line InputError naming the input: nothing else. */
function total(text: string): string {
  try {
    const vms = readVmsFromText(text, 'vm.input', 'vm');
    expect(vms.length).toBeGreaterThan(0);
    return 'ok';
  } catch (e) {
    if (!(e instanceof InputError))
      throw new Error(`threw ${(e as Error)?.name}: ${(e as Error)?.message} on ${JSON.stringify(text.slice(0, 300))}`);
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(e.message.startsWith('vm.input: ')).toBe(true);
    return e.message;
  }
}

describe('libvirt domain XML (finding 7)', () => {
  it('a <feature> without name is bad input: exit 2, one line naming the file', () => {
    const f = join(tmp, 'no-name.xml');
    writeFileSync(f, domain("<cpu mode='custom'><model>Westmere</model><feature policy='require'/></cpu>"));
    const r = cli(['check', hosts, '--vm', f]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`migratable: ${f}: <cpu> has a <feature> without a name attribute\n`);
  });

  it.each([
    ['feature as text', '<cpu><model>Westmere</model><feature>aes</feature></cpu>', /without a name/],
    ['two <cpu>', '<cpu><model>Westmere</model></cpu><cpu><model>Nehalem</model></cpu>', /more than one <cpu>/],
    ['two <model>', '<cpu><model>Westmere</model><model>Nehalem</model></cpu>', /more than one <model>/],
    ['unknown mode', "<cpu mode='host-modle'/>", /mode "host-modle" is not one of/],
    ['unknown policy', "<cpu><model>Westmere</model><feature policy='maybe' name='aes'/></cpu>", /policy "maybe"/],
    ['bits not a number', "<cpu><model>Westmere</model><maxphysaddr mode='emulate' bits='4x'/></cpu>", /address width/],
    ['model without text', "<cpu><model fallback='forbid'/></cpu>", /without a <model>/],
    ['text-only domain', '', /without a <model>/],
  ])('%s: one-line InputError', (_what, cpu, re) => {
    expect(total(domain(cpu))).toMatch(re);
  });

  it('a model named by digits (486) is a name, not a number', () => {
    expect(total(domain("<cpu mode='custom'><model>486</model></cpu>"))).toBe('ok');
  });

  it('structurally fuzzed domains: a VM or one line, never a crash', () => {
    const value = fc.constantFrom(
      '',
      'aes',
      'x',
      '486',
      'Westmere',
      '1e3',
      ' ',
      '&lt;',
      'require',
      'disable',
      '40',
      '-1',
    );
    const attr = (name: string) =>
      fc.option(
        value.map((v) => ` ${name}='${v}'`),
        { nil: '' },
      );
    const feature = fc
      .tuple(attr('name'), attr('policy'), fc.option(value, { nil: '' }))
      .map(([n, p, t]) => (t ? `<feature${n}${p}>${t}</feature>` : `<feature${n}${p}/>`));
    const model = fc.tuple(attr('fallback'), fc.option(value, { nil: '' })).map(([a, t]) => `<model${a}>${t}</model>`);
    const maxphys = fc.tuple(attr('mode'), attr('bits')).map(([m, b]) => `<maxphysaddr${m}${b}/>`);
    const cpu = fc
      .tuple(
        fc.constantFrom(
          '',
          " mode='custom'",
          " mode='host-model'",
          " mode='host-passthrough'",
          " mode='maximum'",
          " mode=''",
        ),
        fc.array(fc.oneof(feature, model, maxphys, value), { maxLength: 5 }),
      )
      .map(([m, kids]) => `<cpu${m}>${kids.join('')}</cpu>`);
    const doc = fc
      .tuple(fc.option(fc.oneof(value, fc.constant('<x/>')), { nil: undefined }), fc.array(cpu, { maxLength: 2 }))
      .map(([n, cpus]) => `<domain type='kvm'>${n === undefined ? '' : `<name>${n}</name>`}${cpus.join('')}</domain>`);
    fc.assert(
      fc.property(doc, (d) => void total(d)),
      { numRuns: 1500 },
    );
  });
});

describe('Proxmox VM configs and -cpu strings', () => {
  it('fuzzed VM configs: a VM or one line, never a crash', () => {
    const key = fc.constantFrom('cpu', 'name', 'machine', 'args', 'numa', 'cores', 'affinity', '[snap]', 'parent');
    const part = fc.constantFrom(
      'host',
      'kvm64',
      'x86-64-v2-AES',
      'custom-foo',
      'flags=+aes;-pcid',
      'flags=',
      'flags=;;',
      'phys-bits=host',
      'phys-bits=0',
      'phys-bits=99999999999',
      'hidden=1',
      'cputype=Westmere',
      'reported-model=',
      '',
      '=',
      ',',
      'pc-q35-8.1',
      '\u0085',
    );
    const line = fc.tuple(key, fc.array(part, { maxLength: 4 })).map(([k, parts]) => `${k}: ${parts.join(',')}`);
    const config = fc.array(line, { minLength: 1, maxLength: 6 }).map((ls) => `${ls.join('\n')}\n`);
    fc.assert(
      fc.property(config, (c) => void total(c)),
      { numRuns: 1500 },
    );
  });

  it('fuzzed -cpu strings: a VM or one line', () => {
    const part = fc.constantFrom(
      'Westmere',
      'host',
      '+aes',
      '-aes',
      'aes=on',
      'aes=off',
      'phys-bits=40',
      'enforce',
      '',
      '=',
      'x=',
      '+',
      '-',
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => void total(parts.join(','))),
      { numRuns: 1000 },
    );
  });
});
