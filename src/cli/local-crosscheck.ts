/**
 * This machine's own /proc/cpuinfo, checked against QEMU/KVM here. The KVM table predicts what
 * kvm_intel/kvm_amd on bare metal offer; where /dev/kvm and QEMU work, the probe's exact answer costs
 * a fraction of a second, so it is asked, the difference is reported feature by feature, and the
 * probe's answer is what the models use (a VM's cpuinfo, or a paravirtual KVM, can be far off).
 */
import { findQemu, kvmUsable } from '../qemu/binary.js';
import { runProbeLocally } from '../fleet/ssh/local-probe.js';
import { parseProbeBundle } from '../sources/probe-bundle.js';
import { profileFromProbe } from '../sources/probe-reader.js';
import { crossCheckOffer, type OfferDifference } from '../sources/offer-crosscheck.js';
import type { HostProfile } from '../profile/host-profile.js';

export interface LocalCrossCheck {
  profile: HostProfile;
  /** One line for the user's terminal, null when there was nothing to check or say */
  summary: string | null;
}

function listed(ds: OfferDifference[]): string {
  return ds.map((d) => (d.cause ? `${d.feature} (${d.why})` : d.feature)).join(', ');
}

/** Probes this machine and returns the profile to use instead of `fromCpuinfo`, with what differed. */
export async function crossCheckLocalCpuinfo(fromCpuinfo: HostProfile, timeoutMs = 20_000): Promise<LocalCrossCheck> {
  const kind = fromCpuinfo.hostKind?.virtual ? 'this machine is a VM, and ' : '';
  if (!kvmUsable() || !findQemu())
    return {
      profile: fromCpuinfo,
      summary: kind
        ? `${fromCpuinfo.name}: ${kind}QEMU/KVM cannot be asked here (no usable /dev/kvm or no QEMU): its cpuinfo cannot tell what its KVM offers`
        : null,
    };
  let exact: HostProfile;
  try {
    const bundle = await runProbeLocally({ timeoutMs });
    exact = profileFromProbe(parseProbeBundle(bundle, 'probe'), 'probe', fromCpuinfo.name);
  } catch (e) {
    return { profile: fromCpuinfo, summary: `${fromCpuinfo.name}: the probe failed (${(e as Error).message})` };
  }
  if (!exact.exact)
    return {
      profile: { ...fromCpuinfo, ...(exact.hostKind ? { hostKind: exact.hostKind } : {}) },
      summary: `${fromCpuinfo.name}: QEMU/KVM here could not be asked: ${exact.notes?.at(-1) ?? 'no answer'}`,
    };
  const check = crossCheckOffer(fromCpuinfo.features, exact.features, {
    vendor: exact.vendor,
    kernel: exact.kernel,
    qemu: exact.qemu,
    params: exact.hostKind?.kvm?.params,
  });
  const module = exact.hostKind?.kvm?.module;
  const parts = [
    `/proc/cpuinfo checked against QEMU ${exact.qemu} under ${module ?? 'KVM'} here`,
    check.claimedNotOffered.length
      ? `KVM does not offer ${check.claimedNotOffered.length} feature(s) the cpuinfo suggested: ${listed(check.claimedNotOffered)}`
      : null,
    check.offeredNotClaimed.length
      ? `KVM offers ${check.offeredNotClaimed.length} the cpuinfo did not prove: ${listed(check.offeredNotClaimed)}`
      : null,
    "the probe's answer is used",
  ].filter(Boolean);
  const note = parts.join('; ');
  const differs = check.claimedNotOffered.length + check.offeredNotClaimed.length > 0;
  return {
    profile: {
      ...exact,
      name: fromCpuinfo.name,
      physBits: exact.physBits ?? fromCpuinfo.physBits,
      notes: [...(exact.notes ?? []), note],
    },
    summary: differs ? `${fromCpuinfo.name}: ${note}` : null,
  };
}
