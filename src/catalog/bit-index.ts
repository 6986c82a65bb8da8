/**
 * The bit positions of catalog features and Linux flags (see name-bits.ts): every name the catalog,
 * KVM's offer table and QEMU's dependency table can mention, so a rule never meets a name without one.
 */
import { allFeatures, allLinuxFlags, kvm, kvmOffer } from './index.js';
import { NameBits } from './name-bits.js';

function offerLiterals(): string[] {
  const out: string[] = [];
  for (const byRelease of Object.values(kvmOffer.features))
    for (const offer of Object.values(byRelease))
      for (const dnf of Object.values(offer) as string[][][]) for (const term of dnf) out.push(...term);
  return out.map((l) => l.replace(/^!/, ''));
}

/** QEMU feature names: the catalog's canonical names, then any other name the KVM tables use. */
export const FEATURE_BITS = new NameBits([
  ...allFeatures().map((f) => f.name),
  ...Object.keys(kvmOffer.features),
  ...kvmOffer.dependencies.flatMap((d) => [...d.from, ...d.to]),
  ...Object.keys(kvm.notAffected),
  ...Object.values(kvmOffer.hostBits).flatMap((byFeature) => Object.keys(byFeature)),
]);

/** Linux flag names (/proc/cpuinfo): the catalog's, the ones KVM's offer tests, and the features' own. */
export const LINUX_FLAG_BITS = new NameBits([
  ...allLinuxFlags().map((l) => l.name),
  ...offerLiterals()
    .filter((l) => l.startsWith('flag:'))
    .map((l) => l.slice(5)),
  ...Object.values(kvmOffer.hostBits).flatMap((byFeature) => Object.values(byFeature).flat()),
  ...allFeatures().flatMap((f) => (f.linux ? [f.linux] : [])),
]);
