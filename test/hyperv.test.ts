/**
 * Hyper-V enlightenments (src/formats/hyperv.ts): Proxmox 9.2's cluster cpu-flags lists hv-* properties
 * beside CPU features (its probe VM expands host with hv-passthrough), and Proxmox lets a VM set
 * hv-tlbflush and hv-evmcs. They are never model features, and hv-evmcs (VMX only) never reaches a host,
 * or a model, of the other vendor.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../src/engine/baseline.js';
import { checkMatrix } from '../src/engine/check.js';
import { readProfilesFromText } from '../src/sources/index.js';
import { readVmsFromText } from '../src/sources/vm/index.js';
import { repoRoot } from './helpers/paths.js';

const flagsFile = join(repoRoot, 'test/fixtures/pve/9.2/cluster/qemu/cpu-flags.json');
const flagsText = readFileSync(flagsFile, 'utf8');
const nodes = readProfilesFromText(flagsText, flagsFile, 'cpu-flags');

describe('Proxmox 9.2 cluster cpu-flags with hv-* entries', () => {
  it('keeps hv-* out of every profile and names them in the notes, per node', () => {
    for (const p of nodes)
      expect(
        p.features.filter((f) => f.startsWith('hv')),
        p.name,
      ).toEqual([]);
    const note = (n: string) => nodes.find((p) => p.name === n)!.notes!.join('\n');
    expect(note('pve1')).toMatch(/Hyper-V enlightenments offered .*: hv-evmcs hv-tlbflush$/m);
    expect(note('pve2')).toMatch(/Hyper-V enlightenments offered .*: hv-tlbflush$/m);
    for (const p of nodes) expect(p.notes!.join(' ')).not.toMatch(/not know \(ignored\):.*hv-/);
  });

  it('no hv-* in the cross-vendor baseline, nor in any emitted -cpu', () => {
    const r = computeBaseline(nodes);
    expect(r.features.some((f) => f.startsWith('hv'))).toBe(false);
    expect(r.cpu).not.toMatch(/hv[-_]/);
  });

  it('hv-evmcs alone says the node runs KVM on VMX: Intel', () => {
    const [p] = readProfilesFromText(
      JSON.stringify([
        ...JSON.parse(flagsText).data.filter((f: { name: string }) => !['vmx', 'svm', 'nested-virt'].includes(f.name)),
      ]),
      'f.json',
      'x',
    ).filter((n) => n.name === 'pve1');
    expect(p.vendor).toBe('GenuineIntel');
    expect(p.notes!.join(' ')).toMatch(/GenuineIntel inferred from hv-evmcs/);
  });
});

describe('a VM asking for hv-evmcs', () => {
  it('Proxmox VM flags +hv-evmcs;+hv-tlbflush are read, not refused as unknown', () => {
    const [vm] = readVmsFromText('cpu: kvm64,flags=+hv-evmcs;+hv-tlbflush\n', '101.conf', '101');
    expect(vm.hyperv).toEqual(['hv-evmcs', 'hv-tlbflush']);
    expect(vm.features.some((f) => f.startsWith('hv'))).toBe(false);
  });

  it('starts on the Intel nodes only; the AMD node is blocked with the reason, dropping the flag is the fix', () => {
    const [vm] = readVmsFromText('cpu: kvm64,flags=+hv-evmcs\n', '101.conf', '101');
    const r = checkMatrix([vm], nodes);
    const cell = (n: string) => r.cells.find((c) => c.host === n)!;
    expect(cell('pve1').ok).toBe(true);
    expect(cell('pve3').ok).toBe(true);
    expect(cell('pve2').ok).toBe(false);
    expect(cell('pve2').missing).toEqual([
      { feature: 'hv-evmcs', why: expect.stringMatching(/only on Intel hosts with VMX/) },
    ]);
    expect(r.suggestions[0].dropFlags).toEqual(['hv-evmcs']);
  });

  it('a -cpu string with hv_evmcs=on is read the same way', () => {
    const [vm] = readVmsFromText('kvm64,hv_evmcs=on,hv-relaxed', '--vm', 'win');
    expect(vm.hyperv).toEqual(['hv-evmcs', 'hv-relaxed']);
    expect(checkMatrix([vm], nodes).cells.find((c) => c.host === 'pve2')!.ok).toBe(false);
  });
});
