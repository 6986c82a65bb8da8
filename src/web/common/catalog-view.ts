/** The catalog as GET /api/catalog serves it: what a UI shows about each feature and model. Browser-safe. */
import { allFeatures, allModels } from '../../catalog/index.js';
import type { CatalogResponse } from './api-types.js';

export function catalogResponse(): CatalogResponse {
  return {
    features: allFeatures().map((f) => ({
      name: f.name,
      aliases: f.aliases,
      linux: f.linux,
      libvirt: f.libvirt,
      cpuid: f.cpuid,
      msr: f.msr,
      category: f.category,
      vendor: f.vendor,
      kvm: f.kvm,
      blocksMigration: f.blocksMigration,
      nested: f.nested,
      hypercall: f.hypercall,
      description: f.description,
    })),
    models: allModels().map((m) => ({
      name: m.name,
      aliases: m.aliases,
      vendor: m.vendor,
      qemu: m.qemu,
      verified: m.verified,
      features: m.kvmFeatures,
    })),
  };
}
