import { z } from 'zod';

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
  'cpuid-raw',
  'pve-node-status',
  'pve-cluster-cpu-flags',
  'probe',
  'host-profile',
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export const HostProfileSchema = z
  .object({
    schemaVersion: z.literal(HOST_PROFILE_SCHEMA_VERSION),
    name: z.string().min(1),
    vendor: z.enum(VENDORS),
    family: z.number().int().nullable(),
    model: z.number().int().nullable(),
    stepping: z.number().int().nullable(),
    modelName: z.string().nullable(),
    microcode: z.string().nullable(),
    features: z.array(z.string()).describe('Canonical QEMU feature names a guest can get on this host'),
    exact: z.boolean().describe('True when the features came from KVM/QEMU/libvirt/PVE data, false when derived from cpuinfo-like data'),
    source: z.enum(SOURCE_FORMATS),
    physBits: z.number().int().min(32).max(64).nullable(),
    kernel: z.string().nullable(),
    qemu: z.string().nullable().describe('QEMU version on the host, e.g. "7.2.22"'),
    runnableModels: z.array(z.string()).optional(),
    unavailable: z.record(z.string(), z.array(z.string())).optional().describe('Per model: features blocking it, as the source reported'),
    mitigations: z.record(z.string(), z.string()).optional().describe('/sys/devices/system/cpu/vulnerabilities/* contents'),
    notes: z.array(z.string()).optional().describe('What the reader noticed: approximations, disagreeing processors, ...'),
    collectedAt: z.string().nullable(),
  })
  .strict();

export type HostProfile = z.infer<typeof HostProfileSchema>;

/** The published JSON Schema (schema/host-profile.v1.json is generated from this). */
export function hostProfileJsonSchema(): unknown {
  return {
    $id: 'https://migratable.dev/schema/host-profile.v1.json',
    title: 'migratable HostProfile',
    ...z.toJSONSchema(HostProfileSchema),
  };
}
