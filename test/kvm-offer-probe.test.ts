/**
 * The generated KVM table against this machine's real KVM: `probe` asks QEMU/KVM itself (exact), and
 * the table predicts the same host from its /proc/cpuinfo and running kernel. Compared on the CPUID
 * bits the table knows (nested VMX controls and MSR bits are not in /proc/cpuinfo at all).
 *
 * Two directions, both listed in the failure message:
 * - claimed but not offered: the unsafe direction. Under nested KVM the L0 hypervisor may hide bits
 *   the L1 kernel still lists in cpuinfo, so a handful are tolerated, never more.
 * - offered but not claimed: the table is conservative (conditions cpuinfo cannot show, hidden
 *   flags), so it may claim less; bounded so a parser regression that drops whole words fails.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfileInputs } from '../src/sources/files.js';
import { kvmOffer, releaseFor } from '../src/sources/kvm-offer.js';
import { cli } from './helpers/cli.js';
import { haveKvm } from './helpers/qemu.js';

const MAX_CLAIMED_NOT_OFFERED = 5;
const MAX_OFFERED_NOT_CLAIMED = 30;

describe.skipIf(!haveKvm)("the generated table predicts this machine's KVM", () => {
  it('probe (QEMU/KVM itself) vs the table from /proc/cpuinfo and the running kernel', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'migratable-probe-')), 'probe.json');
    const r = cli(['probe', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    const exact = JSON.parse(readFileSync(file, 'utf8'));
    expect(exact.exact).toBe(true);
    const [predicted] = readProfileInputs(['/proc/cpuinfo']);
    expect(predicted.kernel).toBe(release());
    expect(releaseFor(release())).not.toBeNull();

    const known = (f: string) => f in kvmOffer.features;
    const real = new Set<string>(exact.features.filter(known));
    const table = new Set(predicted.features.filter(known));
    const claimedNotOffered = [...table].filter((f) => !real.has(f)).sort();
    const offeredNotClaimed = [...real].filter((f) => !table.has(f)).sort();
    const report =
      `kernel ${release()} (table release ${releaseFor(release())}): ` +
      `claimed but not offered [${claimedNotOffered.join(' ')}]; offered but not claimed [${offeredNotClaimed.join(' ')}]`;
    console.info(report);
    expect(real.size, report).toBeGreaterThan(40);
    expect(claimedNotOffered.length, report).toBeLessThanOrEqual(MAX_CLAIMED_NOT_OFFERED);
    expect(offeredNotClaimed.length, report).toBeLessThanOrEqual(MAX_OFFERED_NOT_CLAIMED);
    for (const f of ['dca', 'extapic', 'ibs', 'perfctr-nb', 'tce', 'wdt', 'skinit', 'lwp'])
      expect(table.has(f), f).toBe(false);
  });
});
