/**
 * verify says where a boot stood: the boot script's phases (firmware, kernel, init) with per-phase
 * limits, and advice when KVM cannot run the guest in time. The kvm_pvm machine's recorded boots
 * (fixtures/hosts/kvm-pvm-sapphirerapids/verify-*.boot) replay what it did there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBootBundle } from '../src/verify/boot-bundle.js';
import { phaseAdvice } from '../src/verify/phase-advice.js';
import { renderPhases } from '../src/verify/report.js';
import { verifyModel } from '../src/verify/index.js';
import { repoRoot } from './helpers/paths.js';
import { haveCpio, haveGuestKernel, haveQemu } from './helpers/qemu.js';

const PVM = join(repoRoot, 'test/fixtures/hosts/kvm-pvm-sapphirerapids');
const recorded = (f: string) => parseBootBundle(readFileSync(join(PVM, f), 'utf8'));

describe('recorded boots on the kvm_pvm machine', () => {
  it('under kvm_pvm: the firmware hands over, then the kernel prints nothing until its limit', () => {
    const b = recorded('verify-kvm.boot');
    expect(b.complete).toBe(true);
    expect(b.accel).toBe('kvm');
    expect(b.kvmModules).toEqual(['kvm_pvm']);
    expect(b.hypervisorFlag).toBe(true);
    expect(b.stuck).toEqual({ phase: 'kernel', total: false });
    expect(b.firstKernelMessageMs).toBeNull();
    const [fw, kernel, init] = b.phases;
    expect(fw.endMs).toBeGreaterThan(0);
    expect(kernel).toMatchObject({ startMs: fw.endMs, endMs: null, limitMs: 40_000 });
    expect(init.startMs).toBeNull();
    expect(b.console).toMatch(/Booting from ROM/);
    expect(renderPhases({ phases: b.phases, stuckIn: 'kernel' })).toMatch(
      /^firmware \d+\.\d s, kernel STUCK \(over its 40\.0 s limit\)$/,
    );
    const advice = phaseAdvice(b, 'kvm').join('\n');
    expect(advice).toMatch(/kernel printed nothing/);
    expect(advice).toMatch(/served by kvm_pvm, not kvm_intel\/kvm_amd/);
    expect(advice).toMatch(/--accel tcg/);
  });

  it('under TCG the same model (less what TCG lacks) gets through every phase', () => {
    const b = recorded('verify-tcg.boot');
    expect(b.stuck).toBeNull();
    expect(b.reached).toBe('done');
    expect(b.phases.map((p) => p.endMs !== null)).toEqual([true, true, true]);
    expect(b.firstKernelMessageMs).toBeGreaterThan(b.phases[0].endMs!);
    expect(b.report).toMatch(/@@MGV-END/);
    expect(phaseAdvice(b, 'tcg')).toEqual([]);
  });

  it('a cut-off bundle is incomplete, a foreign text is no bundle', () => {
    const text = readFileSync(join(PVM, 'verify-tcg.boot'), 'utf8');
    expect(parseBootBundle(text.slice(0, text.indexOf('#section console'))).complete).toBe(false);
    expect(parseBootBundle('Welcome to the host!\n').error).toMatch(/did not answer/);
  });
});

describe.skipIf(!(haveQemu && haveGuestKernel && haveCpio))('per-phase limits on a real boot', () => {
  it('a kernel phase over its limit stops the boot there, long before the total, with advice', async () => {
    const r = await verifyModel({ cpu: 'qemu64', accel: 'tcg', timeoutMs: 150_000, phaseTimeoutMs: { kernel: 1000 } });
    expect(r.outcome).toBe('timeout');
    expect(r.stuckIn).toBe('kernel');
    expect(r.failure).toMatch(/stuck in the kernel phase: 1 s passed/);
    expect(r.durationMs).toBeLessThan(60_000);
    expect(r.phases.find((p) => p.name === 'firmware')!.endMs).not.toBeNull();
    expect(r.advice.join(' ')).toMatch(/--phase-timeout/);
  });
});
