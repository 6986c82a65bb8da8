/**
 * One model per distinct domain: the baseline over the domain's hosts, as a cpu-models.conf
 * section with a name that never changes a section some VM already uses. Pure.
 */
import { pveModelSection } from '../../emitters/pve.js';
import { computeBaseline } from '../../engine/baseline.js';
import { renderCpuModelSection, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import type { VmDomain } from '../ha/domains.js';
import type { PlanDomain, PlanOptions } from './types.js';
import { versionName } from '../versions/naming.js';

const MAX_NAME = 40;

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function baseName(d: VmDomain, allNodes: number): string {
  if (d.placementId) return `migratable-${slug(d.placementId)}`.slice(0, MAX_NAME);
  return d.nodes.length === allNodes ? 'migratable-cluster' : 'migratable-domain';
}

/** The section exactly as `baseline --format pve` writes it (a reported-model every PVE release accepts). */
function sectionOf(result: ReturnType<typeof computeBaseline>): CpuModelSection {
  return pveModelSection(result);
}

/**
 * Existing sections are never rewritten: a running VM that uses one would get a different CPU on
 * its next migration target. A taken name with other content gets a numbered suffix instead.
 */
function freeName(wanted: string, taken: Set<string>, existing: Map<string, string>, render: (n: string) => string) {
  for (let i = 1; ; i++) {
    // The version names apply uses (versions/naming.ts): NAME, NAME-2, NAME-3, ...
    const name = versionName(wanted, i);
    if (taken.has(name)) continue;
    const old = existing.get(name);
    if (old === undefined || old === render(name)) return { name, present: old !== undefined };
  }
}

export function domainModels(
  domains: VmDomain[],
  hosts: Map<string, HostProfile>,
  allNodes: number,
  customModels: CpuModelSection[],
  opts: PlanOptions,
): PlanDomain[] {
  // A section we could not write ourselves never equals ours: its name just counts as taken
  const rendered = (m: CpuModelSection) => {
    try {
      return renderCpuModelSection(m);
    } catch {
      return `\u0000${m.name}`;
    }
  };
  const existing = new Map(customModels.map((m) => [m.name, rendered(m)]));
  const taken = new Set<string>();
  return domains.map((d) => {
    const profiles = d.nodes.map((n) => hosts.get(n)!);
    const modelFor = (name: string) =>
      computeBaseline(profiles, { name, qemu: opts.qemu, allowTsx: opts.allowTsx, skipExplain: true });
    const { name, present } = freeName(baseName(d, allNodes), taken, existing, (n) =>
      renderCpuModelSection(sectionOf(modelFor(n))),
    );
    taken.add(name);
    const baseline = modelFor(name);
    return {
      nodes: d.nodes,
      source: d.source,
      model: { name, cpu: baseline.cpu, features: baseline.features },
      section: sectionOf(baseline),
      present,
      baseline,
    };
  });
}
