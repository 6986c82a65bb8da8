import * as z from 'zod/mini';

/** Version of the HostProfile JSON format; bump on incompatible change. */
export const HOST_PROFILE_SCHEMA_VERSION = 1;

export const VENDORS = ['GenuineIntel', 'AuthenticAMD', 'HygonGenuine', 'CentaurHauls', 'unknown'] as const;

/** Formats a profile can come from; `exact` ones are what KVM/QEMU itself says a guest can get. */
export const SOURCE_FORMATS = [
  'cpuinfo',
  'lscpu',
  'qmp-expansion',
  'qmp-bundle',
  'virsh-capabilities',
  'virsh-domcapabilities',
  'libvirt-qemu-caps',
  'cpuid-raw',
  'pve-node-status',
  'pve-cluster-cpu-flags',
  'probe',
  'host-profile',
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** Attaches a description that the published JSON Schema carries. */
function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

const int = () => z.int();
const nullable = <T extends z.ZodMiniType>(t: T) => z.nullable(t);

// zod/mini: the same validation as zod's classic API at a fraction of the size in the browser bundle
export const HostProfileSchema = z.strictObject({
  schemaVersion: z.literal(HOST_PROFILE_SCHEMA_VERSION),
  name: z.string().check(z.minLength(1)),
  vendor: z.enum(VENDORS),
  family: nullable(int()),
  model: nullable(int()),
  stepping: nullable(int()),
  modelName: nullable(z.string()),
  microcode: nullable(z.string()),
  features: described(z.array(z.string()), 'Canonical QEMU feature names a guest can get on this host'),
  exact: described(
    z.boolean(),
    'True when the features came from KVM/QEMU/libvirt/PVE data, false when derived from cpuinfo-like data',
  ),
  source: z.enum(SOURCE_FORMATS),
  physBits: nullable(z.int().check(z.minimum(32), z.maximum(64))),
  kernel: nullable(z.string()),
  qemu: described(nullable(z.string()), 'QEMU version on the host, e.g. "7.2.22"'),
  runnableModels: z.optional(z.array(z.string())),
  unavailable: described(
    z.optional(z.record(z.string(), z.array(z.string()))),
    'Per model: features blocking it, as the source reported',
  ),
  mitigations: described(
    z.optional(z.record(z.string(), z.string())),
    '/sys/devices/system/cpu/vulnerabilities/* contents',
  ),
  notes: described(
    z.optional(z.array(z.string())),
    'What the reader noticed: approximations, disagreeing processors, ...',
  ),
  collectedAt: nullable(z.string()),
  hostKind: described(
    z.optional(
      z.strictObject({
        virtual: described(z.boolean(), 'The host is itself a virtual machine (cpuinfo hypervisor flag, DMI, lscpu)'),
        hypervisor: described(nullable(z.string()), 'Who runs it, when known: KVM, VMware, Microsoft ...'),
        evidence: z.array(z.string()),
        kvm: described(
          z.optional(
            z.strictObject({
              device: described(z.boolean(), '/dev/kvm exists'),
              module: described(nullable(z.string()), 'The module serving /dev/kvm: kvm_intel, kvm_amd, kvm_pvm ...'),
              candidates: z.array(z.string()),
              standard: described(z.boolean(), 'kvm_intel or kvm_amd, whose offer the KVM table describes'),
              nested: described(
                nullable(z.boolean()),
                "The module's nested parameter: this host's guests may run KVM themselves",
              ),
              params: described(
                z.optional(z.record(z.string(), z.record(z.string(), z.string()))),
                'Readable parameters of /sys/module/kvm and the vendor module',
              ),
              why: z.string(),
            }),
          ),
          'What the host itself said about its KVM (probe bundles and scans only)',
        ),
      }),
    ),
    'What kind of host this is: a VM or bare metal, and which module serves /dev/kvm. Absent: not known',
  ),
});

export type HostProfile = z.infer<typeof HostProfileSchema>;

/** The published JSON Schema (schema/host-profile.v1.json is generated from this). */
export function hostProfileJsonSchema(): unknown {
  return {
    $id: 'https://migratable.dev/schema/host-profile.v1.json',
    title: 'migratable HostProfile',
    ...z.toJSONSchema(HostProfileSchema),
  };
}
