/**
 * A VM's migration domain: the nodes HA lets it run on, from the compiled rules (./compile.ts). Pure.
 *
 * A strict node affinity rule (or restricted group) binds the VM to its nodes; a negative one to every
 * node it does not name. A non-strict rule or unrestricted group only sets a preference: HA may place
 * the VM on any node when the preferred ones are down (NodeAffinity.pm plugin_compile adds every other
 * node at priority -1, get_node_affinity offers them), and it live-migrates there on maintenance, so
 * the domain is every node and the preferred ones are named. Priorities only order the preference.
 * A VM that HA does not manage (not in resources.cfg, or `ignored`) is placed by hand: every node.
 */
import type { CompiledHa, NodeAffinity } from './compile.js';

export interface VmDomain {
  /** Sorted node names the VM may run on */
  nodes: string[];
  /** Where the domain comes from, for people */
  source: string;
  /** The rule that binds it, when one does (names the domain's model) */
  placementId?: string;
  notes: string[];
}

const word = (na: NodeAffinity, strict: boolean) =>
  na.label.startsWith('HA group') ? (strict ? 'restricted' : 'unrestricted') : strict ? 'strict' : 'non-strict';

export const haSid = (vmid: number) => `vm:${vmid}`;

export function vmDomain(vmid: number, allNodes: string[], ha: CompiledHa): VmDomain {
  const sid = haSid(vmid);
  const all = [...allNodes].sort();
  // Every rule naming it that Proxmox drops or ignores, and why (./compile.ts ruleNotes)
  const notes = [...(ha.ruleNotes?.get(sid) ?? [])];
  const na = ha.managed.has(sid) ? ha.nodeAffinity.get(sid) : undefined;
  if (!na) return { nodes: all, source: 'all nodes (no HA placement)', notes };
  const listed = [...na.nodes.keys()].sort();
  const known = listed.filter((n) => all.includes(n));
  const how = na.avoids ? `${word(na, na.strict)}, avoids ${na.avoids.join(', ')}` : word(na, na.strict);
  if (!na.strict) {
    const preferred = [...known].sort((a, b) => na.nodes.get(b)! - na.nodes.get(a)!);
    return {
      nodes: all,
      source: `all nodes (${na.label} is ${how}: prefers ${preferred.join(', ') || 'no cluster node'}, may fall back to any node)`,
      notes,
    };
  }
  if (!known.length) return { nodes: all, source: `all nodes (${na.label} names no cluster node)`, notes };
  return { nodes: known, source: `${na.label} (${how})`, placementId: na.ruleId.replace(/^ha-group-/, ''), notes };
}
