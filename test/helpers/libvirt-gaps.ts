/**
 * Recomputes src/sources/libvirt-model-gaps.ts from a libvirt cpu_map directory: per libvirt model,
 * the features QEMU's model of the same name enables under KVM that libvirt's definition lacks
 * (KVM-emulated and QEMU-provided ones left out: every KVM host has them). Used by a test to keep the table honest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kvm, resolveModel } from '../../src/catalog/index.js';
import { featureFromLibvirt } from '../../src/sources/virsh.js';

/** The gap per model (models without one left out) and every model name the map defines. */
export function libvirtModelGaps(dir: string): { gaps: Record<string, string[]>; models: string[] } {
  const index = readFileSync(join(dir, 'index.xml'), 'utf8');
  const files = [...index.matchAll(/<include filename='(x86_[^']+)'/g)].map((m) => m[1]);
  const defs = new Map<string, { parent: string | null; features: string[] }>();
  for (const f of files) {
    const xml = readFileSync(join(dir, f), 'utf8');
    for (const m of xml.matchAll(/<model name='([^']+)'>([\s\S]*?)<\/model>/g)) {
      const parent = /<model name='([^']+)'\/>/.exec(m[2])?.[1] ?? null;
      // removed='yes' features are left out of libvirt's model: claiming less is the safe side
      const features = [...m[2].matchAll(/<feature name='([^']+)'(\s+removed='yes')?/g)]
        .filter((x) => !x[2])
        .map((x) => x[1]);
      defs.set(m[1], { parent, features });
    }
  }
  const all = (n: string, depth = 0): string[] => {
    const d = defs.get(n);
    return !d || depth > 20 ? [] : [...(d.parent ? all(d.parent, depth + 1) : []), ...d.features];
  };
  const everywhere = new Set([...kvm.emulated, ...kvm.qemuProvided]);
  const out: Record<string, string[]> = {};
  for (const name of [...defs.keys()].sort()) {
    const q = resolveModel(name);
    if (!q) continue;
    const lv = new Set(all(name).map((x) => featureFromLibvirt(x) ?? x));
    const gap = q.kvmFeatures.filter((x) => !lv.has(x) && !everywhere.has(x)).sort();
    if (gap.length) out[name] = gap;
  }
  return { gaps: out, models: [...defs.keys()].sort() };
}
