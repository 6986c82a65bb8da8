/**
 * Will this VM start on that host, and is moving it there safe? Pure: VMs + HostProfiles in,
 * a VM x host matrix out, with the exact missing features and the reason for the non-obvious ones.
 */
import { knownNewerThan, kvm, resolveFeature, resolveModel } from '../catalog/index.js';
import type { HostProfile } from '../profile/host-profile.js';
import type { VmCpu } from '../profile/vm-cpu.js';
import { computeBaseline } from './baseline.js';
import { featuresOnHost, nestedVirtFeature } from './nested-virt.js';
import { unavailableOn } from './runnable.js';
import { HYPERV_VMX_ONLY } from '../formats/hyperv.js';

export interface MissingFeature {
  feature: string;
  why?: string;
}

export interface CheckCell {
  vm: string;
  host: string;
  ok: boolean;
  missing: MissingFeature[];
  warnings: string[];
}

export interface Suggestion {
  vm: string;
  /** Drop these explicitly added flags and the VM runs everywhere */
  dropFlags?: string[];
  /** Or switch to the cluster baseline */
  useBaseline?: { cpu: string; name: string };
  text: string;
}

export interface CheckResult {
  cells: CheckCell[];
  vms: string[];
  hosts: string[];
  suggestions: Suggestion[];
  /** Warnings about a VM that hold on every host */
  vmWarnings: Record<string, string[]>;
}

/** Why a feature is missing when it is not simply an older CPU. */
function whyMissing(feature: string, host: HostProfile): string | undefined {
  const f = resolveFeature(feature);
  if (!f) return undefined;
  const amdHost = host.vendor === 'AuthenticAMD' || host.vendor === 'HygonGenuine';
  if (kvm.fragile.includes(feature) && host.vendor === 'GenuineIntel')
    return 'no TSX on this host: CPUs before Haswell lack it, and microcode or kernel TAA mitigations remove it from later ones';
  if (f.vendor === 'intel' && amdHost) return 'an Intel-only bit: AMD CPUs do not have it';
  if (f.vendor === 'amd' && host.vendor === 'GenuineIntel') return 'an AMD-only bit: Intel CPUs do not have it';
  if (host.qemu && knownNewerThan(f.qemu, host.qemu))
    return `QEMU ${host.qemu} on this host does not know the name (added in ${f.qemu})`;
  if (f.kvm === 'never') return 'KVM never exposes it to guests';
  return undefined;
}

/**
 * QEMU starts such a guest: host_cpu_adjust_phys_bits (target/i386/host-cpu.c, QEMU 7.2) only prints
 * "Host physical bits (N) does not match phys-bits property (M)"; it fails only outside 32..52 bits.
 * The guest then believes in addresses the host's page tables (EPT/NPT) cannot map.
 */
function physBitsAboveHost(vmBits: number, hostBits: number): string {
  return (
    `phys-bits=${vmBits} above this host's ${hostBits}: QEMU starts it with the warning "Host physical bits (${hostBits}) ` +
    `does not match phys-bits property (${vmBits})", but guest memory or 64-bit PCI BARs placed above 2^${hostBits} ` +
    `cannot be mapped by this host: the guest may hang or crash when it touches them`
  );
}

/** Two VMs with one name (two files, two hosts' vmids) stay two rows: later ones get " #2", " #3". */
function distinctNames(vms: VmCpu[]): VmCpu[] {
  const given = new Set(vms.map((vm) => vm.name));
  const used = new Set<string>();
  return vms.map((vm) => {
    let name = vm.name;
    for (let n = 2; used.has(name); n++) {
      name = `${vm.name} #${n}`;
      if (given.has(name)) name = vm.name; // a VM really has that name: keep counting
    }
    used.add(name);
    return name === vm.name ? vm : { ...vm, name };
  });
}

function cell(vm: VmCpu, host: HostProfile, crossVendor: boolean): CheckCell {
  const warnings: string[] = [];
  const missing: MissingFeature[] = [];
  if (vm.passthrough) {
    warnings.push(
      `${vm.model}: the guest gets the boot host's CPU; it starts here but moves safely only between identical hosts`,
    );
  } else {
    const model = resolveModel(vm.model);
    if (model && host.qemu && knownNewerThan(model.qemu, host.qemu))
      missing.push({
        feature: `model:${model.name}`,
        why: `QEMU ${host.qemu} on this host has no ${model.name} (added in QEMU ${model.qemu})`,
      });
    const nested = vm.nestedVirt ? nestedVirtFeature(host) : null;
    for (const f of unavailableOn(host, featuresOnHost(vm, host)))
      if (f === nested)
        missing.push({
          feature: 'nested-virt',
          why: `nested-virt is ${f} on this host, and its KVM does not offer ${f} (nested virtualization off?)`,
        });
      else missing.push({ feature: f, ...(whyMissing(f, host) ? { why: whyMissing(f, host) } : {}) });
    for (const hv of (vm.hyperv ?? []).filter((f) => HYPERV_VMX_ONLY.has(f))) {
      const why =
        host.vendor !== 'GenuineIntel'
          ? 'the enlightened VMCS exists only on Intel hosts with VMX: KVM implements it in kvm_intel alone'
          : !host.features.includes('vmx')
            ? "it needs nested VMX, which this host's KVM does not offer"
            : null;
      if (why) missing.push({ feature: hv, why });
    }
    if (vm.nestedVirt && !nestedVirtFeature(host))
      warnings.push('nested-virt: host vendor unknown, so whether it becomes vmx (Intel) or svm (AMD) is unknown');
  }
  if (crossVendor && vm.features.some((f) => kvm.hypercall.includes(f)))
    warnings.push(
      `${vm.features.filter((f) => kvm.hypercall.includes(f)).join(', ')} on: a move to a host of the other vendor can crash the guest (PV hypercalls patched for the boot vendor; kvm_kick_cpu)`,
    );
  if (vm.physBits === 'host')
    warnings.push(
      "phys-bits host: the guest takes the boot host's address width and can panic after moving to a host with fewer bits",
    );
  else if (typeof vm.physBits === 'number' && host.physBits !== null && vm.physBits > host.physBits)
    warnings.push(physBitsAboveHost(vm.physBits, host.physBits));
  if (vm.features.includes('invtsc'))
    warnings.push('invtsc: QEMU refuses to live-migrate this VM unless the TSC frequency is pinned');
  if (vm.features.includes('vmx') || vm.features.includes('svm') || vm.nestedVirt)
    warnings.push(
      crossVendor && vm.nestedVirt
        ? 'nested-virt is vmx on Intel hosts and svm on AMD hosts: live migration between them fails'
        : 'nested virtualization on: migration needs the same vmx/svm flag and nested support on every host',
    );
  return { vm: vm.name, host: host.name, ok: missing.length === 0, missing, warnings };
}

export function checkMatrix(vmList: VmCpu[], hosts: HostProfile[]): CheckResult {
  const vms = distinctNames(vmList);
  const crossVendor = new Set(hosts.map((h) => h.vendor)).size > 1;
  const cells = vms.flatMap((vm) => hosts.map((h) => cell(vm, h, crossVendor)));
  const suggestions: Suggestion[] = [];
  let baseline: ReturnType<typeof computeBaseline> | null = null;
  for (const vm of vms) {
    const failing = cells.filter((c) => c.vm === vm.name && !c.ok);
    if (!failing.length && !vm.passthrough) continue;
    const missing = new Set(failing.flatMap((c) => c.missing.map((m) => m.feature)));
    const s: Suggestion = { vm: vm.name, text: '' };
    if (missing.size && [...missing].every((f) => vm.added.includes(f) || vm.hyperv?.includes(f)))
      s.dropFlags = [...missing].sort();
    baseline ??= hosts.length ? computeBaseline(hosts, { skipExplain: true }) : null;
    if (baseline) s.useBaseline = { cpu: baseline.cpu, name: baseline.name };
    s.text = [
      s.dropFlags ? `drop ${s.dropFlags.map((f) => `+${f}`).join(', ')} from the VM's CPU flags` : null,
      s.useBaseline
        ? `${s.dropFlags ? 'or ' : ''}switch to the cluster baseline (cpu: custom-${s.useBaseline.name})`
        : null,
    ]
      .filter(Boolean)
      .join('; ');
    suggestions.push(s);
  }
  const vmWarnings = Object.fromEntries(vms.map((vm) => [vm.name, vm.notes]));
  return { cells, vms: vms.map((v) => v.name), hosts: hosts.map((h) => h.name), suggestions, vmWarnings };
}
