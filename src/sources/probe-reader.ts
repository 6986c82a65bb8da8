/**
 * Probe bundles (from `migratable probe` and `scan`): QEMU's own host expansion when the host could
 * run it (exact), else its /proc/cpuinfo (approximate); plus kernel, microcode, mitigations.
 */
import type { HostProfile } from '../profile/host-profile.js';
import { readCpuinfo } from './cpuinfo.js';
import { isProbeBundle, parseProbeBundle, type RawProbe } from './probe-bundle.js';
import { firstFlagsLine, hostKindOf } from './host-kind.js';
import { profileFromQmp } from './qmp-reply.js';
import type { Reader } from './reader.js';

export function profileFromProbe(raw: RawProbe, where: string, fallbackName: string): HostProfile {
  const name = raw.hostname ?? fallbackName;
  const fromCpuinfo = readCpuinfo(raw.cpuinfo, where, name, { kernel: raw.kernel });
  const common = {
    kernel: raw.kernel,
    microcode: raw.microcode ?? fromCpuinfo.microcode,
    physBits: fromCpuinfo.physBits,
    collectedAt: raw.collectedAt,
    ...(Object.keys(raw.vulnerabilities).length ? { mitigations: raw.vulnerabilities } : {}),
    ...probeHostKind(raw, fromCpuinfo),
  };
  if (raw.qmp?.hostExpansion) {
    const docs: unknown[] = [{ return: { model: raw.qmp.hostExpansion } }];
    if (raw.qmp.definitions) docs.push({ return: raw.qmp.definitions });
    const exact = profileFromQmp(docs, where, name, 'probe');
    return {
      ...exact,
      ...common,
      qemu: raw.qmp.version,
      modelName: fromCpuinfo.modelName ?? exact.modelName,
      notes: [
        "features are QEMU's own answer (query-cpu-model-expansion of model host under KVM)",
        ...kindNote(common.hostKind),
      ],
    };
  }
  return {
    ...fromCpuinfo,
    ...common,
    source: 'probe',
    qemu: raw.qmp?.version ?? null,
    notes: [
      ...(fromCpuinfo.notes ?? []),
      `QEMU could not be asked${raw.qmpError ? ` (${raw.qmpError})` : ''}: features derived from /proc/cpuinfo`,
    ],
  };
}

/** Bundles from before the kvm/host-virtual sections keep what the cpuinfo flag says. */
function probeHostKind(raw: RawProbe, fromCpuinfo: HostProfile): Pick<HostProfile, 'hostKind'> {
  if (!raw.kvm && !raw.virtualHints) return fromCpuinfo.hostKind ? { hostKind: fromCpuinfo.hostKind } : {};
  return { hostKind: hostKindOf(firstFlagsLine(raw.cpuinfo), raw.virtualHints, raw.kvm) };
}

/** One note on what kind of host answered, when it is not bare metal with kvm_intel/kvm_amd. */
function kindNote(kind: HostProfile['hostKind']): string[] {
  if (!kind) return [];
  const parts: string[] = [];
  if (kind.virtual) parts.push(`this host is itself a VM${kind.hypervisor ? ` on ${kind.hypervisor}` : ''}`);
  if (kind.kvm?.module && !kind.kvm.standard) parts.push(`/dev/kvm is served by ${kind.kvm.module}`);
  else if (kind.kvm && !kind.kvm.module && kind.kvm.device) parts.push(`/dev/kvm: ${kind.kvm.why}`);
  return parts.length ? [`${parts.join('; ')}: what it offers depends on the outer hypervisor or module`] : [];
}

export const probeReader: Reader = {
  format: 'probe',
  describe: 'migratable probe bundle (from `migratable probe` or `scan`)',
  detect: isProbeBundle,
  read: (text, where, name) => [profileFromProbe(parseProbeBundle(text, where), where, name)],
};
