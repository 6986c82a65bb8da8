/** check's VM x host matrix: a phys-bits above a host is a warning, not a refusal; VMs of one name stay apart. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { checkMatrix } from '../src/engine/check.js';
import { renderCheck } from '../src/cli/run/check.js';
import { readVmsFromText } from '../src/sources/vm/index.js';
import { readProfileInputs } from '../src/sources/files.js';
import { repoRoot } from './helpers/paths.js';

const cluster = join(repoRoot, 'examples/field-report-cluster');
const hosts = readProfileInputs([cluster]);
const minBits = Math.min(...hosts.map((h) => h.physBits!));

describe('check: phys-bits above a host', () => {
  const vm = readVmsFromText(`kvm64,phys-bits=${minBits + 3}`, '--vm', 'wide')[0];
  const r = checkMatrix([vm], hosts);
  const narrow = r.cells.find((c) => hosts.find((h) => h.name === c.host)!.physBits === minBits)!;

  it('QEMU starts it with a warning, so the cell is ok with that warning, not "would not start"', () => {
    expect(narrow.ok).toBe(true);
    expect(narrow.missing).toEqual([]);
    const w = narrow.warnings.find((x) => x.startsWith(`phys-bits=${minBits + 3}`))!;
    expect(w).toContain(`Host physical bits (${minBits}) does not match phys-bits property (${minBits + 3})`);
    expect(w).toMatch(/may hang or crash/);
    expect(renderCheck(r)).not.toMatch(/would not start/);
  });

  it('phys-bits within every host: no such warning', () => {
    const r2 = checkMatrix([readVmsFromText(`kvm64,phys-bits=${minBits}`, '--vm', 'fits')[0]], hosts);
    expect(r2.cells.flatMap((c) => c.warnings).filter((w) => w.includes('phys-bits'))).toEqual([]);
  });
});

describe('check: two VMs with the same name', () => {
  const a = readVmsFromText('kvm64', 'a.conf', 'web')[0];
  const b = readVmsFromText('EPYC-Rome', 'b.conf', 'web')[0];
  const r = checkMatrix([a, b], hosts);

  it('stay two rows, each with its own verdict', () => {
    expect(r.vms).toEqual(['web', 'web #2']);
    expect(r.cells).toHaveLength(2 * hosts.length);
    expect(r.cells.filter((c) => c.vm === 'web').every((c) => c.ok)).toBe(true);
    expect(r.cells.filter((c) => c.vm === 'web #2').some((c) => !c.ok)).toBe(true); // EPYC-Rome on the Xeon
    const rows = renderCheck(r)
      .split('\n')
      .filter((l) => /^web( #2)?\s+(ok|NO)/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(/NO \(\d+\)/);
  });

  it('a VM really named "web #2" keeps its name and the duplicate counts on', () => {
    const c = readVmsFromText('kvm64', 'c.conf', 'web #2')[0];
    expect(checkMatrix([a, c, b], hosts).vms).toEqual(['web', 'web #2', 'web #3']);
  });
});
