/**
 * A VM's migration domain: the nodes HA lets it run on. Pure.
 *
 * Strict rules and restricted groups bind the VM to their nodes. Non-strict rules and unrestricted
 * groups only set a preference: HA may place the VM on any node when the preferred ones are down
 * (NodeAffinity.pm plugin_compile adds every other node at priority -1), and it live-migrates there on
 * maintenance, so the domain is every node and the preferred ones are noted. Two placements naming
 * one VM are a conflict PVE drops both of (NodeAffinity.pm check_single_resource_reference).
 * Priorities (`pve1:2,pve2`) only order the preference; every listed node is in the domain.
 */
import type { HaConfig, HaPlacement } from '../config/ha.js';

export interface VmDomain {
  /** Sorted node names the VM may run on */
  nodes: string[];
  /** Where the domain comes from, for people */
  source: string;
  /** The placement that binds it, when one does (names the domain's model) */
  placementId?: string;
  notes: string[];
}

function label(p: HaPlacement): string {
  return p.kind === 'rule' ? `HA rule '${p.id}'` : `HA group '${p.id}'`;
}

export function vmDomain(vmid: number, allNodes: string[], ha: HaConfig): VmDomain {
  const sid = `vm:${vmid}`;
  const all = [...allNodes].sort();
  const placements = ha.placements.filter((p) => p.resources.includes(sid));
  if (!placements.length) return { nodes: all, source: 'all nodes (no HA placement)', notes: [] };
  if (placements.length > 1)
    return {
      nodes: all,
      source: 'all nodes (conflicting HA placements)',
      notes: [`${placements.map(label).join(' and ')} both name ${sid}: PVE applies neither`],
    };
  const p = placements[0];
  const listed = [...new Set(p.nodes.map((n) => n.node))].sort();
  const unknown = listed.filter((n) => !all.includes(n));
  const known = listed.filter((n) => all.includes(n));
  const notes = unknown.length ? [`${label(p)} names node(s) not in the cluster: ${unknown.join(', ')}`] : [];
  if (!p.strict)
    return {
      nodes: all,
      source: `all nodes (${label(p)} is ${p.kind === 'rule' ? 'non-strict' : 'unrestricted'}: prefers ${known.join(', ') || 'no cluster node'}, may fall back to any node)`,
      notes,
    };
  if (!known.length) return { nodes: all, source: `all nodes (${label(p)} names no cluster node)`, notes };
  return {
    nodes: known,
    source: `${label(p)} (${p.kind === 'rule' ? 'strict' : 'restricted'})`,
    placementId: p.id,
    notes,
  };
}
