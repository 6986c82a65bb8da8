/**
 * Every migration rule, once: each fact with the scopes it answers in (rules/scopes.ts). The CPU data
 * the rules read (which features are hypercall-based, fragile, vendor-only, when QEMU got a name,
 * what KVM offers) is the catalog's, generated from upstream; the rules say what follows from it.
 *
 * The order is the order of the output in every scope: baseline's warnings, a check cell's missing
 * features and warnings, a move's blockers. A new rule goes where its output belongs.
 */
import {
  HYPERCALL_FEATURES,
  NESTED_FEATURES,
  isAmdLike,
  knownNewerThan,
  kvm,
  resolveFeature,
  resolveModel,
} from '../../catalog/index.js';
import { HYPERV_VMX_ONLY } from '../../formats/hyperv.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { X86_64_BASELINE, missingBaseline } from '../../profile/x86-64.js';
import { compareVersions, majorMinor } from '../../version.js';
import type { HostSet } from '../hosts.js';
import { featuresOnHost, nestedVirtFeature } from '../nested-virt.js';
import { QEMU_DEFAULT_PHYS_BITS } from '../phys-bits.js';
import { qemuSkew } from '../qemu-skew.js';
import { unavailableOn } from '../runnable.js';
import { someNames } from '../some-names.js';
import type { Warning } from '../types.js';
import type { MigrationRule, MissingFeature } from './scopes.js';

/** The field report's guest command line for keeping mitigations across a vendor change */
export const CROSS_VENDOR_CMDLINE = 'pti=on spectre_v2=retpoline,generic spec_store_bypass_disable=seccomp';

const FIELD_REPORT =
  'Proxmox forum tutorial "Live migration between Intel Xeon and AMD Epyc2 (Linux guests)" (2020, E5-2630 v4 / EPYC 7502) and its replies';

const isAmd = (h: Pick<HostProfile, 'vendor'>) => isAmdLike(h.vendor);
/** Catalog attributes (data/features.json): QEMU's feature words for nested virt, KVM's hypercall PV bits */
const nestedOn = (features: string[]) => features.filter((f) => resolveFeature(f)?.nested);
const hypercallOn = (features: string[]) => features.filter((f) => resolveFeature(f)?.hypercall);

/** "pve1 on KVM" when the host is a VM and says whose */
const onHypervisor = (h: HostProfile) => (h.hostKind?.hypervisor ? `${h.name} on ${h.hostKind.hypervisor}` : h.name);

function sameCpu(a: HostProfile, b: HostProfile): boolean {
  if (a.vendor !== b.vendor || a.family !== b.family || a.model !== b.model || a.stepping !== b.stepping) return false;
  const fa = [...a.features].sort().join(' ');
  return fa === [...b.features].sort().join(' ');
}

/** Why a host lacks a feature, from the first rule that knows (none: simply an older CPU). */
export function whyMissing(feature: string, host: HostProfile): string | undefined {
  const f = resolveFeature(feature);
  if (!f) return undefined;
  for (const rule of MIGRATION_RULES) {
    const why = rule.whyMissing?.(feature, f, host);
    if (why) return why;
  }
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

function physBitsUnknown(set: HostSet): Warning {
  const { physBits, smallestKnown, unknownOn } = set.physBitsChoice;
  const reported = smallestKnown === null ? 'no host reported one' : `the smallest reported is ${smallestKnown}`;
  return {
    code: 'phys-bits-unknown',
    message: `physical address bits unknown for ${someNames(unknownOn)}: the model pins phys-bits=${physBits}, no more than QEMU's default ${QEMU_DEFAULT_PHYS_BITS} (what VMs started there without phys-bits already have) and ${reported}; a host with fewer bits (Intel client and Xeon E3 CPUs have 39) would let a guest panic after migrating there`,
    advice:
      'give profiles with address sizes for those hosts (cpuinfo, lscpu, probe, scan), or lower phys-bits by hand to their width',
    hosts: unknownOn,
  };
}

export const MIGRATION_RULES: readonly MigrationRule[] = [
  {
    id: 'cpu-passthrough',
    fact: "cpu host (or max) copies the boot host's CPU: the guest moves safely only between identical hosts",
    source:
      'QEMU docs/system/cpu-models-x86.rst.inc (host passthrough: live migration only between identical hosts); query-cpu-definitions reports host and max migration-safe: false',
    start: ({ vm }) =>
      vm.passthrough
        ? {
            warnings: [
              `${vm.model}: the guest gets the boot host's CPU; it starts here but moves safely only between identical hosts`,
            ],
          }
        : null,
    move: ({ vm, source, target }) =>
      vm.passthrough && !sameCpu(source, target)
        ? `cpu ${vm.model} copies ${source.name}'s CPU (${source.modelName ?? source.vendor}); ${target.name} differs (${target.modelName ?? target.vendor})`
        : null,
  },
  {
    id: 'model-release',
    fact: 'a QEMU older than the release that added a CPU model cannot start a VM using it',
    source: 'data/models.json `qemu` (the first release whose query-cpu-definitions lists the model)',
    start: ({ vm, host }) => {
      if (vm.passthrough) return null;
      const model = resolveModel(vm.model);
      return model && host.qemu && knownNewerThan(model.qemu, host.qemu)
        ? {
            missing: [
              {
                feature: `model:${model.name}`,
                why: `QEMU ${host.qemu} on this host has no ${model.name} (added in QEMU ${model.qemu})`,
              },
            ],
          }
        : null;
    },
  },
  {
    id: 'features-offered',
    fact: "with enforce, QEMU refuses to start a guest asking for a feature the host's KVM does not offer",
    source:
      "QEMU target/i386/cpu.c x86_cpu_filter_features (enforce); what KVM offers: data/kvm-offer.json (Linux arch/x86/kvm/cpuid.c per release); nested-virt: qemu-server CPUConfig.pm ('svm' on AMD, 'vmx' on Intel)",
    start: ({ vm, host }) => {
      if (vm.passthrough) return null;
      const missing: MissingFeature[] = [];
      const nested = vm.nestedVirt ? nestedVirtFeature(host) : null;
      for (const f of unavailableOn(host, featuresOnHost(vm, host)))
        if (f === nested)
          missing.push({
            feature: 'nested-virt',
            why: `nested-virt is ${f} on this host, and its KVM does not offer ${f} (nested virtualization off?)`,
          });
        else missing.push({ feature: f, ...(whyMissing(f, host) ? { why: whyMissing(f, host) } : {}) });
      const warnings =
        vm.nestedVirt && !nestedVirtFeature(host)
          ? ['nested-virt: host vendor unknown, so whether it becomes vmx (Intel) or svm (AMD) is unknown']
          : [];
      return { missing, warnings };
    },
  },
  {
    id: 'hyperv-vmx-only',
    fact: 'the Hyper-V enlightened VMCS (hv-evmcs) exists only where KVM runs on Intel VMX',
    source:
      'Linux arch/x86/kvm/vmx/hyperv.c nested_enable_evmcs (KVM_CAP_HYPERV_ENLIGHTENED_VMCS, kvm_intel only); qemu-server 9.2.6 CPUFlags.pm ("Only supported on Intel CPUs"); formats/hyperv.ts',
    start: ({ vm, host }) => {
      const missing: MissingFeature[] = [];
      for (const hv of (vm.hyperv ?? []).filter((f) => HYPERV_VMX_ONLY.has(f))) {
        const why =
          host.vendor !== 'GenuineIntel'
            ? 'the enlightened VMCS exists only on Intel hosts with VMX: KVM implements it in kvm_intel alone'
            : !host.features.includes('vmx')
              ? "it needs nested VMX, which this host's KVM does not offer"
              : null;
        if (why) missing.push({ feature: hv, why });
      }
      return missing.length ? { missing } : null;
    },
  },
  {
    id: 'cross-vendor',
    fact: "a guest keeps its boot host's vendor choices; hypercall PV features and nested state break when the vendor changes",
    source: `${FIELD_REPORT}; KubeVirt PR #16060 (2025: guest panics in kvm_kick_cpu after AMD->Intel moves); Linux arch/x86/kernel/kvm.c (PV spinlock kicks are VMCALL/VMMCALL hypercalls); data/features.json \`hypercall\` (Linux Documentation/virt/kvm/x86/hypercalls.rst)`,
    pool: ({ set }) => {
      if (!set.crossVendor) return null;
      const hc = HYPERCALL_FEATURES.filter((f) => f !== 'kvm-pv-unhalt');
      return [
        {
          code: 'cross-vendor',
          message: `hosts of ${set.vendors.length} vendors (${set.vendors.join(', ')}): a guest keeps the CPU vendor, errata workarounds and mitigation choices of the host it booted on after live migration; upstream KVM treats cross-vendor migration as best effort`,
          advice: `boot Linux guests with "${CROSS_VENDOR_CMDLINE}" so mitigations stay on after a move (newer kernels also accept "mitigations=auto" plus "spectre_v2=retpoline,lfence" on AMD; "retpoline,amd" was renamed "retpoline,lfence" in 5.17); test Windows guests separately; or keep vendor-separate HA groups (see alternatives)`,
        },
        {
          code: 'kvm-pv-unhalt',
          message:
            'kvm-pv-unhalt is switched off: PV spinlock kicks are hypercalls (VMCALL on Intel, VMMCALL on AMD) patched once at boot, and guests crashed in kvm_kick_cpu after Intel->AMD migration',
          advice:
            'keep the explicit -kvm_pv_unhalt: Proxmox adds +kvm_pv_unhalt to every VM by default, so leaving the flag out is not enough',
        },
        {
          code: 'hypercall-pv',
          message: `${hc.join(', ')} are switched off too: they also work by hypercall, which the other vendor's KVM must trap and rewrite (KubeVirt blocked cross-vendor migration in 2025 after guest panics in this path)`,
        },
      ];
    },
    start: ({ vm, crossVendor }) => {
      const hc = hypercallOn(vm.features);
      return crossVendor && hc.length
        ? {
            warnings: [
              `${hc.join(', ')} on: a move to a host of the other vendor can crash the guest (PV hypercalls patched for the boot vendor; kvm_kick_cpu)`,
            ],
          }
        : null;
    },
    move: ({ vm, source, target }) => {
      if (source.vendor === target.vendor) return null;
      const out: string[] = [];
      const hc = hypercallOn(vm.features);
      if (hc.length)
        out.push(
          `${hc.join(', ')} on and ${target.vendor} differs from ${source.vendor}: PV hypercalls are patched for the boot vendor (guests crashed in kvm_kick_cpu after such moves)`,
        );
      const nested = nestedOn(vm.features);
      if (nested.length) out.push(`nested virtualization (${nested.join(', ')}) cannot move between vendors`);
      return out;
    },
  },
  {
    id: 'tsx',
    fact: 'microcode and kernel updates remove TSX (TAA mitigation): a VM that has it then neither starts nor migrates',
    source: 'Linux Documentation/admin-guide/hw-vuln/tsx_async_abort.rst (tsx=off, TSX_CTRL); data/kvm.json `fragile`',
    pool: ({ features, allowTsx, everywhere, somewhere }) => {
      const present = kvm.fragile.filter((f) => ['hle', 'rtm'].includes(f) && somewhere(f));
      if (present.length && !allowTsx)
        return {
          code: 'tsx',
          message: `TSX (${present.join(', ')}) is left out${present.some(everywhere) ? ' although every host has it' : ''}: microcode and kernel updates remove it (TAA mitigation), after which VMs that have it neither start nor migrate`,
          advice: 'use --allow-tsx only if you control microcode updates on every host',
        };
      if (allowTsx && present.some((f) => features.has(f)))
        return {
          code: 'tsx',
          message:
            'TSX is in the model (--allow-tsx): a microcode update that disables TSX on any host will stop these VMs from starting or migrating there',
        };
      return null;
    },
    whyMissing: (feature, _f, host) =>
      kvm.fragile.includes(feature) && host.vendor === 'GenuineIntel'
        ? 'no TSX on this host: CPUs before Haswell lack it, and microcode or kernel TAA mitigations remove it from later ones'
        : undefined,
  },
  {
    id: 'vendor-only',
    fact: 'some CPUID bits exist on one vendor only',
    source: "data/features.json `vendor` (libvirt's x86 CPU map and QEMU's feature words)",
    whyMissing: (_feature, f, host) => {
      if (f.vendor === 'intel' && isAmd(host)) return 'an Intel-only bit: AMD CPUs do not have it';
      if (f.vendor === 'amd' && host.vendor === 'GenuineIntel') return 'an AMD-only bit: Intel CPUs do not have it';
      return undefined;
    },
  },
  {
    id: 'feature-release',
    fact: 'a QEMU older than the release that named a feature refuses the name',
    source: 'data/features.json `qemu` (the first release that knows the name)',
    whyMissing: (_feature, f, host) =>
      host.qemu && knownNewerThan(f.qemu, host.qemu)
        ? `QEMU ${host.qemu} on this host does not know the name (added in ${f.qemu})`
        : undefined,
  },
  {
    id: 'kvm-never',
    fact: 'KVM never exposes some features to guests',
    source: 'data/kvm-offer.json (Linux arch/x86/kvm/cpuid.c, 13 releases)',
    whyMissing: (_feature, f) => (f.kvm === 'never' ? 'KVM never exposes it to guests' : undefined),
  },
  {
    id: 'phys-bits-guest',
    fact: "a guest's address width is fixed at boot: phys-bits host takes the boot host's, and above a host's width the guest may crash",
    source: 'QEMU 7.2 target/i386/host-cpu.c host_cpu_adjust_phys_bits (host-phys-bits, the 32..52 check)',
    start: ({ vm, host }) => {
      if (vm.physBits === 'host')
        return {
          warnings: [
            "phys-bits host: the guest takes the boot host's address width and can panic after moving to a host with fewer bits",
          ],
        };
      if (typeof vm.physBits === 'number' && host.physBits !== null && vm.physBits > host.physBits)
        return { warnings: [physBitsAboveHost(vm.physBits, host.physBits)] };
      return null;
    },
    move: ({ vm, source, target }) =>
      vm.physBits === 'host' &&
      source.physBits !== null &&
      target.physBits !== null &&
      target.physBits < source.physBits
        ? `phys-bits host: the guest has ${source.physBits} address bits, ${target.name} only ${target.physBits}`
        : null,
  },
  {
    id: 'invtsc',
    fact: 'QEMU refuses to live-migrate a guest with invtsc unless its TSC frequency is pinned',
    source:
      'QEMU target/i386/kvm/kvm.c kvm_arch_init_vcpu: migration blocker "State blocked by non-migratable CPU device (invtsc flag)" unless tsc-frequency is set',
    pool: ({ somewhere }) =>
      somewhere('invtsc')
        ? {
            code: 'invtsc',
            message:
              'invtsc (invariant TSC) is left out: QEMU refuses to live-migrate a guest that has it unless the TSC frequency is pinned and every host can scale to it',
            advice: 'add invtsc only together with tsc-frequency=<Hz> on hosts with TSC scaling',
          }
        : null,
    start: ({ vm }) =>
      vm.features.includes('invtsc')
        ? { warnings: ['invtsc: QEMU refuses to live-migrate this VM unless the TSC frequency is pinned'] }
        : null,
    move: ({ vm }) =>
      vm.features.includes('invtsc') && !/(?:^|,)tsc-frequency=/.test(vm.cpu)
        ? 'invtsc without a pinned tsc-frequency: QEMU refuses to migrate the VM'
        : null,
    dropped: { features: ['invtsc'], loses: 'the invariant TSC' },
  },
  {
    id: 'phys-bits',
    fact: 'hosts of different address widths need the smallest pinned in the model',
    source: "QEMU target/i386/cpu.c (phys-bits default 40 without host-phys-bits); the hosts' address sizes",
    pool: ({ set }) => {
      if (!set.physBitsKnown) return physBitsUnknown(set);
      const widths = [...new Set(set.hosts.map((h) => h.physBits))];
      return widths.length > 1
        ? {
            code: 'phys-bits',
            message: `hosts differ in physical address bits (${widths.sort().join(', ')}): the model pins phys-bits=${set.physBits}, the smallest; never use "phys-bits host" on these VMs`,
          }
        : null;
    },
  },
  {
    id: 'incomplete-profile',
    fact: 'every x86-64 CPU has the psABI v1 set: a profile without it is cut off or garbled, not a real CPU',
    source: 'x86-64 psABI, microarchitecture level x86-64 (profile/x86-64.ts)',
    pool: ({ set }) => {
      const incomplete = set.groups
        .filter((g) => missingBaseline(g.features).length > 0)
        .flatMap((g) => g.hosts.map((h) => h.name));
      return incomplete.length
        ? {
            code: 'incomplete-profile',
            message: `the data for ${someNames(incomplete)} lacks features every x86-64 CPU has (${X86_64_BASELINE.join(' ')}): it looks truncated, and the model is cut down to it`,
            advice: 'collect that host again (migratable probe or scan) before using this model',
            hosts: incomplete,
          }
        : null;
    },
  },
  {
    id: 'approximate-profile',
    fact: 'cpuinfo-like data shows what Linux sees, not exactly what KVM offers',
    source: 'data/kvm-offer.json (what KVM offers per kernel release, from Linux arch/x86/kvm/cpuid.c)',
    pool: ({ set }) => {
      const approximate = set.hosts.filter((h) => !h.exact).map((h) => h.name);
      return approximate.length
        ? {
            code: 'approximate-profile',
            message: `${approximate.length} profile(s) derived from cpuinfo-like data (${someNames(approximate)}): KVM may offer slightly more or less than /proc/cpuinfo shows`,
            advice:
              "run `migratable probe` (or scan) on those hosts for QEMU's exact answer, and `migratable verify` the model",
          }
        : null;
    },
  },
  {
    id: 'virtual-host',
    fact: 'a host that is itself a VM runs its KVM on what the outer hypervisor passes down, which its cpuinfo does not show',
    source:
      'CPUID.1:ECX[31] (the hypervisor bit, Linux X86_FEATURE_HYPERVISOR) and sources/host-kind.ts; recorded: test/fixtures/hosts/kvm-pvm-sapphirerapids (cpuinfo 118 features, KVM 64)',
    pool: ({ set }) => {
      const guessed = set.hosts.filter((h) => !h.exact && h.hostKind?.virtual);
      return guessed.length
        ? {
            code: 'virtual-host',
            message: `${guessed.length} host(s) are virtual machines (${someNames(guessed.map(onHypervisor))}): their /proc/cpuinfo cannot tell what their own KVM offers (nested or paravirtual KVM gets what the outer hypervisor passes down, often far less), so the model may not start there`,
            advice:
              "run `migratable probe` on those hosts (or `migratable scan` them) and use QEMU's exact answer; then `migratable verify` the model there",
            hosts: guessed.map((h) => h.name),
          }
        : null;
    },
  },
  {
    id: 'nonstandard-kvm',
    fact: 'an exact profile of a VM, or of a KVM module other than kvm_intel/kvm_amd, holds while the outer hypervisor stays as it is',
    source: 'sources/host-kind.ts (the module serving /dev/kvm, read from /sys/module by the probe script)',
    pool: ({ set }) => {
      const odd = set.hosts.filter(
        (h) => h.exact && (h.hostKind?.virtual || (h.hostKind?.kvm?.module && !h.hostKind.kvm.standard)),
      );
      return odd.length
        ? {
            code: 'nonstandard-kvm',
            message: `${odd.length} host(s) run KVM as a guest or through another module (${someNames(odd.map((h) => `${onHypervisor(h)}${h.hostKind?.kvm?.module ? `, ${h.hostKind.kvm.module}` : ''}`))}): their profiles are QEMU's exact answer today, but what they offer depends on the outer hypervisor and can change when it changes`,
            advice:
              'probe them again after any change of the outer VM (CPU type, nesting, migration) and verify the model there',
          }
        : null;
    },
  },
  {
    id: 'nested-virt',
    fact: 'nested guest state migrates only with kernel support on both hosts, and never between VMX and SVM',
    source:
      'qemu-server CPUConfig.pm nested-virt help ("Live migration still only works if it\'s the same flag on both sides", 0fd8eb7d); QEMU target/i386/kvm/kvm.c kvm_get_nested_state (vendor-specific struct kvm_nested_state)',
    pool: ({ set, somewhere }) =>
      NESTED_FEATURES.some(somewhere)
        ? {
            code: 'nested-virt',
            message: set.crossVendor
              ? 'nested virtualization (vmx/svm) is left out: Intel VMX and AMD SVM state cannot move between vendors'
              : 'nested virtualization (vmx/svm) is left out: nested guests make live migration fragile; enable it only on VMs that need it, with the same flag on every host',
          }
        : null,
    start: ({ vm, crossVendor }) =>
      nestedOn(vm.features).length || vm.nestedVirt
        ? {
            warnings: [
              crossVendor && vm.nestedVirt
                ? 'nested-virt is vmx on Intel hosts and svm on AMD hosts: live migration between them fails'
                : 'nested virtualization on: migration needs the same vmx/svm flag and nested support on every host',
            ],
          }
        : null,
    move: ({ vm, source, target }) =>
      source.vendor === target.vendor && nestedOn(vm.features).length
        ? 'nested virtualization on: QEMU migrates nested guest state only with kernel support on both hosts; not treated as live-migratable'
        : null,
    dropped: { features: NESTED_FEATURES, loses: 'nested virtualization' },
  },
  {
    id: 'machine-version',
    fact: 'a VM pinned to machine version X.Y needs QEMU X.Y or newer wherever it runs',
    source: 'QEMU hw/i386/pc_q35.c and pc_piix.c: each release defines the versioned machine types up to its own',
    move: ({ machineVersion, target }) =>
      machineVersion && target.qemu && compareVersions(majorMinor(target.qemu) ?? target.qemu, machineVersion) < 0
        ? `machine version ${machineVersion} needs QEMU ${machineVersion} or newer; ${target.name} runs ${target.qemu}`
        : null,
  },
  {
    id: 'qemu-version',
    fact: 'below the oldest QEMU the catalog knows, a feature name the host QEMU lacks stops the VM at start',
    source: 'catalog-src/snapshots/qemu-7.2.json (the oldest QEMU whose names the catalog records)',
    pool: ({ wantedQemu, qemu }) =>
      wantedQemu && wantedQemu !== qemu
        ? {
            code: 'qemu-version',
            message: `QEMU ${wantedQemu} is older than ${qemu}, the oldest release the catalog knows feature names for: a name that QEMU lacks stops the VM at start`,
            advice: `check the model on that host with \`migratable verify\` (or \`kvm -cpu help\`), or upgrade QEMU`,
          }
        : null,
  },
  {
    id: 'qemu-versions',
    fact: 'hosts on different QEMU releases: the model is limited to the oldest, and some releases change what a guest sees',
    source: 'data/qemu-changes.json (each change with the QEMU commit or file it was checked in)',
    pool: ({ set, qemu, qemuFromProfiles }) => {
      if (!qemuFromProfiles)
        return {
          code: 'qemu-version-unknown',
          message: `no profile says which QEMU its host runs: the model uses only names QEMU ${qemu} knows`,
          advice:
            'pass --qemu X.Y with the oldest QEMU in the cluster (Proxmox: `kvm --version`), or use probe/scan profiles',
        };
      const w: Warning[] = [];
      const versions = new Set(set.hosts.map((h) => h.qemu).filter(Boolean));
      if (versions.size > 1 || set.hosts.some((h) => !h.qemu))
        w.push({
          code: 'qemu-version',
          message: `hosts run different or unknown QEMU versions; the model is limited to what QEMU ${qemu} knows`,
        });
      return [...w, ...qemuSkew(set)];
    },
  },
  {
    id: 'kernel-5.15',
    fact: 'guests froze after live migration between some Intel generations on kernel 5.15',
    source: `${FIELD_REPORT}: on PVE 7.2, Xeon Bronze 3106 -> E5-2650 v2 froze on kernel 5.15 and not on pve-kernel 5.19.7`,
    pool: ({ set }) => {
      const k515 = set.hosts.filter((h) => h.kernel?.startsWith('5.15')).map((h) => h.name);
      return k515.length
        ? {
            code: 'kernel-5.15',
            message: `kernel 5.15 on ${someNames(k515)}: guests froze after live migration between some Intel generations on 5.15 (fixed by moving to 5.19+)`,
            advice: 'upgrade those hosts to a newer kernel before relying on live migration',
          }
        : null;
    },
  },
  {
    id: 'mitigations',
    fact: 'a guest keeps the mitigation choices of the host it booted on',
    source: 'Linux /sys/devices/system/cpu/vulnerabilities/* (what each host reports); ' + FIELD_REPORT,
    pool: ({ set }) =>
      new Set(set.hosts.filter((h) => h.mitigations).map((h) => JSON.stringify(h.mitigations))).size > 1
        ? {
            code: 'mitigations',
            message:
              'hosts report different CPU vulnerability mitigations: a guest keeps the mitigation choices of the host it booted on',
          }
        : null,
  },
  {
    id: 'few-hosts',
    fact: 'one host is not yet a cluster',
    source: 'migratable (a baseline over one host is what it can run)',
    pool: ({ set }) =>
      set.hosts.length === 1
        ? {
            code: 'few-hosts',
            message: 'only one host given: the model is what this host can run, not yet a cluster baseline',
          }
        : null,
  },
];
