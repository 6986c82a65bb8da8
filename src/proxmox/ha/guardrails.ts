/**
 * HA guardrails: node-affinity rules (Proxmox VE 9) or HA groups (Proxmox VE 8) that keep each HA
 * VM on the nodes where its current CPU config runs (cpu-safe-nodes.ts), merged with the admin's own
 * placement by intersection, never widening it. Pure: config text in, new config text out.
 *
 * Proxmox's limits, from pve-ha-manager 5.2.0 (b71218f), which drops every rule that breaks one
 * (Rules.pm transform/check_feasibility; the API refuses to write one):
 * - one node-affinity rule per resource (Rules/NodeAffinity.pm check_single_resource_reference):
 *   a VM the admin already placed gets the admin's rule narrowed, or is moved out of it into a
 *   rule of its own that remembers the admin's constraint (its comment) so a later run never
 *   widens past it;
 * - one node-affinity rule per keep-together bundle (Rules.pm
 *   check_single_node_affinity_per_positive_resource_affinity_rule): a positive resource-affinity
 *   bundle is guarded as one unit, on the nodes every member runs on;
 * - a single priority for resources in any resource-affinity rule
 *   (check_single_priority_node_affinity_in_resource_affinity_rules): their merged rule drops the
 *   admin's preference (the allowed nodes stay the intersection);
 * - keep-apart (negative) rules must stay satisfiable: the nodes of the node-affinity rules of its
 *   resources must outnumber them (check_negative_resource_affinity_node_affinity_consistency), and
 *   beyond that check, here, the resources must fit on distinct allowed nodes (a matching); a guard
 *   that would break this is withheld and named.
 * Groups (Groups.pm): a resource has one group; a group whose members all get the same nodes is
 * narrowed in place, other members move to a group of their own (resources.cfg `group`).
 * PVE 9 turns each group into a rule `ha-group-ID` (Groups.pm migrate_groups_to_rules), so groups
 * and rules are never mixed: with groups present, groups are written.
 */
import type { HostProfile } from '../../profile/host-profile.js';
import { MIGRATABLE_VERSION } from '../../tool-version.js';
import type { ClusterConfig } from '../config/cluster.js';
import {
  haBoolean,
  parseHaNodeList,
  readHaFiles,
  type HaGroup as TypedGroup,
  type HaResource,
  type HaRule,
} from '../config/ha.js';
import { TargetSolver, targetInputs } from '../plan/targets.js';
import { vmState } from '../plan/state.js';
import { cpuSafeNodes, newSafeNodesCache, type CpuSafeNodes } from './cpu-safe-nodes.js';
import { infeasibleRules, type FeasibilityRule } from './feasibility.js';
import {
  decodeText,
  encodeNodeList,
  haFileOf,
  renderGroup,
  renderNodeAffinityRule,
  rewriteHaFile,
  sectionOf,
  withGroup,
  type HaFile,
  type HaSection,
  type NodePriority,
} from './ha-files.js';

export const GUARD_PREFIX = 'migratable-cpu-';

export type GuardMode = 'rules' | 'groups';

export interface GuardInput {
  cluster: ClusterConfig;
  hosts: HostProfile[];
  /** Current text of ha/rules.cfg, ha/groups.cfg, ha/resources.cfg (null when missing) */
  files: { rules: string | null; groups: string | null; resources: string | null };
  /** Default: groups when groups.cfg has a group, rules otherwise */
  mode?: GuardMode;
}

export type GuardStatus =
  /** a rule or group now keeps it on its CPU-safe nodes */
  | 'guarded'
  /** the admin's strict rule or restricted group already does */
  | 'already-safe'
  /** its CPU runs on every node: no rule needed */
  | 'runs-everywhere'
  /** the admin's rule allows no node where its CPU runs: left alone */
  | 'conflict'
  /** a guard would break a Proxmox rule check (keep-apart, one rule per resource): withheld */
  | 'withheld'
  /** its CPU could not be resolved (a custom model not in cpu-models.conf) */
  | 'unknown-cpu'
  /** template: 1: it never starts, so no node is unsafe for it */
  | 'template';

export interface GuardVm {
  sid: string;
  vmid: number;
  node: string;
  /** Nodes where its CPU config runs */
  safe: string[];
  /** Nodes HA may run it on now, and with the guardrails */
  allowedBefore: string[];
  allowedAfter: string[];
  status: GuardStatus;
  /** The rule or group that holds it afterwards */
  holder?: string;
  notes: string[];
}

export interface GuardFile {
  name: 'rules.cfg' | 'groups.cfg' | 'resources.cfg';
  before: string | null;
  after: string;
}

export interface GuardrailPlan {
  mode: GuardMode;
  vms: GuardVm[];
  /** Only the files that change */
  files: GuardFile[];
  notes: string[];
}

interface Constraint {
  kind: 'rule' | 'group';
  id: string;
  nodes: NodePriority[];
  strict: boolean;
}

/** A rule (rules mode) or group (groups mode) that places resources. */
interface Holder extends Constraint {
  /**
   * A negative node-affinity rule (`affinity negative`): `nodes` holds the nodes it allows (every
   * cluster node it does not list, priority 0, as invert_negative_node_affinity_rules compiles it)
   * and `listed` the nodes written in it, which Proxmox's checks and an unchanged rewrite use
   */
  negative?: { listed: NodePriority[] };
  ours: boolean;
  /** Ours: the admin constraint its members came from (null: none) */
  origin: Constraint | null;
  members: string[];
  section: HaSection;
}

interface Unit {
  sids: string[];
  vmSids: string[];
  safe: string[];
  holder: Holder | null;
  /** The admin's constraint on it (its holder's, or what our holder remembers) */
  constraint: Constraint | null;
  inResourceAffinity: boolean;
  voidAdmin?: string;
}

interface Spec {
  nodes: NodePriority[];
  strict: boolean;
}

const specKey = (s: Spec) => `${encodeNodeList(s.nodes)}/${s.strict ? 1 : 0}`;
const sameSpec = (a: Spec, b: Spec) => specKey(a) === specKey(b);
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

// --- origin, kept in our holders' comments ---------------------------------------------------------

function originText(c: Constraint | null): string {
  if (!c) return 'origin=none';
  const strictness = c.kind === 'rule' ? (c.strict ? 'strict' : 'nonstrict') : c.strict ? 'restricted' : 'unrestricted';
  return `origin=${c.kind}/${c.id}/${strictness}/${encodeNodeList(c.nodes)}`;
}

function parseOrigin(comment: string | undefined): Constraint | null {
  const m = /origin=(?:none|(rule|group)\/([^/\s]+)\/(strict|nonstrict|restricted|unrestricted)\/(\S*))/.exec(
    comment ?? '',
  );
  if (!m || !m[1]) return null;
  return {
    kind: m[1] as 'rule' | 'group',
    id: m[2],
    strict: m[3] === 'strict' || m[3] === 'restricted',
    nodes: originNodes(m[4]),
  };
}

/** Our own `n1:2,n2` list; a hand-edited one that no longer parses remembers no nodes. */
function originNodes(text: string): NodePriority[] {
  try {
    return parseHaNodeList(text);
  } catch {
    return [];
  }
}

function guardComment(sids: string[], origin: Constraint | null): string {
  return `migratable ${MIGRATABLE_VERSION} CPU guardrail for ${sids.join(' ')}, kept on nodes where their CPU runs; ${originText(origin)}`;
}

// --- reading the files -------------------------------------------------------------------------------

interface AffinityRule {
  id: string;
  affinity: string;
  sids: string[];
}

/** The rules in force (the typed view: disabled ones left out, as foreach_rule does) as holders. */
function holdersFromRules(
  rules: HaRule[],
  file: HaFile,
  all: string[],
): { holders: Holder[]; affinityRules: AffinityRule[] } {
  const holders: Holder[] = [];
  const affinityRules: AffinityRule[] = [];
  for (const r of rules) {
    if (r.disabled) continue; // foreach_rule(exclude_disabled_rules): key present at all
    if (r.type === 'resource-affinity') {
      affinityRules.push({ id: r.id, affinity: r.affinity, sids: r.resources });
      continue;
    }
    const s = sectionOf(file, r.type, r.id);
    const ours = r.id.startsWith(GUARD_PREFIX);
    const comment = s.props.has('comment') ? decodeText(s.props.get('comment') ?? '') : undefined;
    const listed = r.nodes;
    // `affinity negative` (NodeAffinity.pm after 5.2.0, see ../config/ha.ts): the rule allows every other node
    const negative = r.affinity === 'negative';
    holders.push({
      kind: 'rule',
      id: r.id,
      nodes: negative
        ? all.filter((n) => !listed.some((x) => x.node === n)).map((node) => ({ node, priority: 0 }))
        : listed,
      ...(negative ? { negative: { listed } } : {}),
      strict: r.strict,
      ours,
      origin: ours ? parseOrigin(comment) : null,
      members: r.resources,
      section: s,
    });
  }
  return { holders, affinityRules };
}

/** The rules PVE compiles from these holders (a group is rule `ha-group-ID`) and resource-affinity rules. */
function asFeasibilityRules(
  holders: Array<{
    id: string;
    kind: 'rule' | 'group';
    nodes: NodePriority[];
    members: string[];
    negative?: { listed: NodePriority[] };
  }>,
  affinityRules: AffinityRule[],
): FeasibilityRule[] {
  return [
    ...holders.map((h) => ({
      id: h.kind === 'group' ? `ha-group-${h.id}` : h.id,
      type: 'node-affinity' as const,
      resources: h.members,
      // A negative rule is checked as written (the negative checks look at its own nodes)
      ...(h.negative ? { nodes: h.negative.listed, affinity: 'negative' } : { nodes: h.nodes }),
    })),
    ...affinityRules.map((r) => ({
      id: r.id,
      type: 'resource-affinity' as const,
      resources: r.sids,
      affinity: r.affinity,
    })),
  ];
}

const holderIdOf = (ruleId: string, mode: GuardMode) => (mode === 'groups' ? ruleId.replace(/^ha-group-/, '') : ruleId);

function holdersFromGroups(groups: TypedGroup[], resources: HaResource[], file: HaFile): Holder[] {
  return groups.map((g) => {
    const s = sectionOf(file, 'group', g.id);
    const ours = g.id.startsWith(GUARD_PREFIX);
    return {
      kind: 'group' as const,
      id: g.id,
      nodes: g.nodes,
      strict: g.restricted,
      ours,
      origin: ours ? parseOrigin(s.props.get('comment')) : null,
      members: resources.filter((r) => r.group === g.id).map((r) => r.sid),
      section: s,
    };
  });
}

/** Keep-together bundles as connected components (stricter than PVE's single-pass grouping). */
function bundles(positive: string[][], managed: string[]): string[][] {
  const parent = new Map(managed.map((s) => [s, s]));
  const find = (s: string): string => (parent.get(s) === s ? s : find(parent.get(s)!));
  for (const group of positive) {
    const inside = group.filter((s) => parent.has(s));
    for (const s of inside.slice(1)) parent.set(find(s), find(inside[0]));
  }
  const out = new Map<string, string[]>();
  for (const s of managed) out.set(find(s), [...(out.get(find(s)) ?? []), s]);
  return [...out.values()].map((g) => g.sort());
}

// --- the core ---------------------------------------------------------------------------------------

function allowedBy(c: Constraint | null, all: string[]): string[] {
  if (!c || !c.strict) return all;
  return all.filter((n) => c.nodes.some((x) => x.node === n));
}

/**
 * The admin constraint narrowed to the safe nodes: the constraint itself when it already keeps the
 * unit there, 'none' when nothing constrains it and it runs everywhere, null when they share no node.
 */
function mergedSpec(u: Unit, all: string[], notes: string[]): Spec | 'none' | null {
  const c = u.constraint;
  const allowed = allowedBy(c, all).filter((n) => u.safe.includes(n));
  if (!allowed.length) return null;
  if (allowed.length === allowedBy(c, all).length) return c ? { nodes: c.nodes, strict: c.strict } : 'none';
  let nodes = allowed.map((node) => {
    const listed = c?.nodes.find((x) => x.node === node);
    // A non-strict preference stays a preference: its nodes rank above the other safe ones
    return { node, priority: listed ? listed.priority + (c!.strict ? 0 : 1) : 0 };
  });
  const priorities = new Set(nodes.map((n) => n.priority));
  if (priorities.size > 1 && u.inResourceAffinity) {
    notes.push(
      `${u.sids.join(', ')}: in a resource-affinity rule, so the merged rule has one priority (Rules.pm check_single_priority_node_affinity_in_resource_affinity_rules): the preference of ${c!.kind} '${c!.id}' is dropped, the allowed nodes stay its intersection with the CPU-safe ones`,
    );
    nodes = nodes.map((n) => ({ ...n, priority: 0 }));
  }
  if (priorities.size === 1) nodes = nodes.map((n) => ({ ...n, priority: 0 }));
  return { nodes, strict: true };
}

interface Placement {
  rewrite: Map<string, Spec>;
  /** holders of our own: new, or an old one of ours reused under its id */
  created: Array<{ id: string; spec: Spec; sids: string[]; origin: Constraint | null; reuse?: Holder }>;
  /** our old holders no longer needed */
  dropped: Set<string>;
  holderOf: Map<string, string>;
}

type UnitSpec = Spec | 'none' | null;

function place(units: Unit[], holders: Holder[], withheld: Set<Unit>, specs: Map<Unit, UnitSpec>): Placement {
  const p: Placement = { rewrite: new Map(), created: [], dropped: new Set(), holderOf: new Map() };
  const admin = new Map(holders.filter((h) => !h.ours).map((h) => [h.id, h]));
  const stay = (u: Unit, id: string) => u.sids.forEach((sid) => p.holderOf.set(sid, id));
  const needs: Array<{ u: Unit; spec: Spec; originId: string | null }> = [];
  for (const u of units) {
    const spec = specs.get(u);
    const current = u.holder;
    if (withheld.has(u) || spec === null || spec === undefined) {
      if (current) stay(u, current.id);
      continue;
    }
    if (spec === 'none') continue; // runs everywhere, nothing constrains it: no holder (ours are dropped)
    if (current && !current.ours && sameSpec(current, spec)) {
      stay(u, current.id);
      continue;
    }
    // Back into the admin's own holder it came from, when that is unchanged and keeps it safe
    const origin = current?.ours && u.constraint ? admin.get(u.constraint.id) : undefined;
    if (origin && origin.kind === u.constraint!.kind && sameSpec(origin, u.constraint!) && sameSpec(origin, spec)) {
      stay(u, origin.id);
      continue;
    }
    needs.push({ u, spec, originId: current && !current.ours ? current.id : null });
  }
  // An admin holder whose members all need new nodes is narrowed in place (for the first group of
  // them when they differ: a holder never ends up empty); the others move to holders of our own
  for (const h of admin.values()) {
    const mine = needs.filter((n) => n.originId === h.id);
    if (!mine.length || !units.filter((u) => u.holder === h).every((u) => mine.some((n) => n.u === u))) continue;
    p.rewrite.set(h.id, mine[0].spec);
    for (const n of mine.filter((x) => sameSpec(x.spec, mine[0].spec))) {
      stay(n.u, h.id);
      needs.splice(needs.indexOf(n), 1);
    }
  }
  const groups = new Map<string, { spec: Spec; sids: string[]; origin: Constraint | null }>();
  for (const n of needs) {
    const key = `${specKey(n.spec)} ${originText(n.u.constraint)}`;
    const g = groups.get(key) ?? { spec: n.spec, sids: [], origin: n.u.constraint };
    g.sids.push(...n.u.sids);
    groups.set(key, g);
  }
  const ours = holders.filter((h) => h.ours);
  const taken = new Set(holders.map((h) => h.id));
  let i = 0;
  for (const g of [...groups.values()].sort((a, b) => (a.sids.sort()[0] < b.sids.sort()[0] ? -1 : 1))) {
    // An old holder of ours with the same nodes and origin keeps its id: a re-run changes nothing
    const reuse = ours.find(
      (h) =>
        sameSpec(h, g.spec) && originText(h.origin) === originText(g.origin) && !p.created.some((c) => c.reuse === h),
    );
    let id = reuse?.id;
    if (!id) {
      do id = `${GUARD_PREFIX}${++i}`;
      while (taken.has(id));
      taken.add(id);
    }
    p.created.push({ id, spec: g.spec, sids: g.sids, origin: g.origin, ...(reuse ? { reuse } : {}) });
    for (const sid of g.sids) p.holderOf.set(sid, id);
  }
  const keptIds = new Set(p.holderOf.values());
  for (const h of ours) if (!p.created.some((c) => c.reuse === h) && !keptIds.has(h.id)) p.dropped.add(h.id);
  return p;
}

/** The members a holder ends up with: its own that stay, and those that move back into it. */
function membersAfter(h: Holder, p: Placement): string[] {
  const out = h.members.filter((s) => !p.holderOf.has(s) || p.holderOf.get(s) === h.id);
  for (const [sid, id] of p.holderOf) if (id === h.id && !out.includes(sid)) out.push(sid);
  return out;
}

/** The rule set PVE would compile after the placement. */
function finalRules(
  p: Placement,
  holders: Holder[],
  affinityRules: AffinityRule[],
  mode: GuardMode,
): FeasibilityRule[] {
  const kind = mode === 'groups' ? ('group' as const) : ('rule' as const);
  const kept = holders
    .filter((h) => !p.dropped.has(h.id) && !p.created.some((c) => c.reuse === h))
    .map((h) => ({
      id: h.id,
      kind: h.kind,
      nodes: p.rewrite.get(h.id)?.nodes ?? h.nodes,
      members: membersAfter(h, p),
      // Rewritten, a negative rule becomes a positive one over the nodes it keeps
      ...(h.negative && !p.rewrite.has(h.id) ? { negative: h.negative } : {}),
    }))
    .filter((h) => h.members.length);
  const created = p.created.map((c) => ({ id: c.id, kind, nodes: c.spec.nodes, members: c.sids }));
  return asFeasibilityRules([...kept, ...created], affinityRules);
}

/** Compiled allowed nodes per sid after the placement (NodeAffinity.pm plugin_compile). */
function compiledAllowed(
  p: Placement,
  holders: Holder[],
  all: string[],
  droppedNow: (h: Holder) => unknown,
): Map<string, string[]> {
  const spec = new Map<string, Constraint>();
  for (const h of holders) spec.set(h.id, h);
  for (const [id, s] of p.rewrite) spec.set(id, { ...spec.get(id)!, nodes: s.nodes, strict: s.strict });
  for (const c of p.created) spec.set(c.id, { kind: 'rule', id: c.id, nodes: c.spec.nodes, strict: c.spec.strict });
  const out = new Map<string, string[]>();
  // A holder Proxmox drops as it is (and that stays as it is) places nothing: every node
  const voidIds = new Set(holders.filter((h) => droppedNow(h) && !p.rewrite.has(h.id)).map((h) => h.id));
  for (const [sid, id] of p.holderOf) out.set(sid, voidIds.has(id) ? all : allowedBy(spec.get(id) ?? null, all));
  return out;
}

/** A perfect matching of the resources onto distinct nodes (Kuhn's augmenting paths). */
function distinctNodes(sets: string[][]): boolean {
  const owner = new Map<string, number>();
  const tryAssign = (i: number, seen: Set<string>): boolean => {
    for (const n of sets[i]) {
      if (seen.has(n)) continue;
      seen.add(n);
      const o = owner.get(n);
      if (o === undefined || tryAssign(o, seen)) {
        owner.set(n, i);
        return true;
      }
    }
    return false;
  };
  return sets.every((_, i) => tryAssign(i, new Set()));
}

export function computeGuardrails(input: GuardInput): GuardrailPlan {
  const { cluster } = input;
  const all = [...cluster.nodes].sort();
  const hosts = new Map(input.hosts.map((h) => [h.name, h]));
  const notes: string[] = [];
  // One reader with plan and targets: the typed view decides, the files are kept for writing back
  const { config: ha, docs } = readHaFiles(input.files, (f) => `ha/${f}`);
  const rulesFile = haFileOf('rules.cfg', docs.rules);
  const groupsFile = haFileOf('groups.cfg', docs.groups);
  const resourcesFile = haFileOf('resources.cfg', docs.resources);
  const hasGroups = ha.groups.length > 0;
  const mode: GuardMode = input.mode ?? (hasGroups ? 'groups' : 'rules');
  if (mode === 'rules' && hasGroups)
    notes.push(
      'groups.cfg still has groups (PVE 9 before the CRM migrated them): writing rules beside them would give a VM two node-affinity rules; use groups',
    );

  const managed = ha.resources.filter((r) => r.state !== 'ignored').map((r) => r.sid);
  const read =
    mode === 'rules'
      ? holdersFromRules(ha.rules, rulesFile, all)
      : {
          ...holdersFromRules(ha.rules, rulesFile, all),
          holders: holdersFromGroups(ha.groups, ha.resources, groupsFile),
        };
  // What PVE drops already: those rules constrain nothing, and their resources are left alone
  const droppedNow = infeasibleRules(asFeasibilityRules(read.holders, read.affinityRules), all);
  for (const [id, why] of droppedNow)
    notes.push(`HA rule '${id}' is dropped by Proxmox as it is (${why.join('; ')}): its resources are left alone`);
  const affinityRules = read.affinityRules.filter((r) => !droppedNow.has(r.id));
  const positive = affinityRules.filter((r) => r.affinity === 'positive').map((r) => r.sids);
  const negative = affinityRules.filter((r) => r.affinity === 'negative');
  const inAffinity = new Set(affinityRules.flatMap((r) => r.sids));
  const holders = read.holders;
  const dropped = (h: Holder) => droppedNow.get(h.kind === 'group' ? `ha-group-${h.id}` : h.id);
  const holdersOf = new Map<string, Holder[]>();
  for (const h of holders) for (const sid of h.members) holdersOf.set(sid, [...(holdersOf.get(sid) ?? []), h]);

  const safeOf = new Map<string, CpuSafeNodes | null>();
  const cache = newSafeNodesCache();
  // The placement solver `targets` and `plan` use: one judgement of every CPU move
  const solver = new TargetSolver(targetInputs({ ...cluster, hosts: input.hosts }));
  // A template never starts (./plan/state.ts): its CPU runs nowhere, so it needs no guard and
  // narrows no bundle; it is listed as such
  const templates = cluster.vms.filter((vm) => vmState(vm).template);
  const noData = all.filter((n) => !hosts.has(n));
  if (noData.length)
    notes.push(
      `no host data for node(s) ${noData.join(', ')}: no CPU can be checked there, so no guard allows them; scan them and run again before applying`,
    );
  for (const vm of cluster.vms)
    if (!vmState(vm).template)
      safeOf.set(`vm:${vm.vmid}`, cpuSafeNodes(vm, all, hosts, cluster.customModels, solver, cache));

  const units: Unit[] = bundles(positive, managed).map((sids) => {
    const hs = [...new Set(sids.flatMap((s) => holdersOf.get(s) ?? []))];
    const vmSids = sids.filter((s) => safeOf.has(s));
    let safe = [...all];
    for (const s of vmSids) {
      const sn = safeOf.get(s);
      if (sn) safe = safe.filter((n) => sn.nodes.includes(n));
    }
    const holder = hs.length === 1 ? hs[0] : null;
    const voided = hs.filter((h) => dropped(h));
    return {
      sids,
      vmSids,
      safe,
      holder,
      constraint: holder ? (holder.ours ? holder.origin : holder) : null,
      inResourceAffinity: sids.some((s) => inAffinity.has(s)),
      ...(voided.length || hs.length > 1
        ? {
            voidAdmin: `${(voided.length ? voided : hs).map((h) => `${h.kind} '${h.id}'`).join(' and ')} ${voided.length ? `is dropped by Proxmox (${dropped(voided[0])!.join('; ')})` : 'both name it'}`,
          }
        : {}),
    };
  });

  const specNotes: string[] = [];
  const specs = new Map<Unit, UnitSpec>();
  for (const u of units) specs.set(u, u.voidAdmin || !u.vmSids.length ? null : mergedSpec(u, all, specNotes));
  notes.push(...specNotes);

  // Withhold guards that would make a keep-apart rule unsatisfiable or a rule infeasible, until none does
  const withheld = new Map<Unit, string>();
  const unitOf = new Map(units.flatMap((u) => u.sids.map((s) => [s, u] as const)));
  const changes = (u: Unit) => !withheld.has(u) && typeof specs.get(u) === 'object' && specs.get(u) !== null;
  let placement = place(units, holders, new Set(withheld.keys()), specs);
  for (let round = 0; round < units.length + 1; round++) {
    const allowed = compiledAllowed(placement, holders, all, dropped);
    let changed = false;
    const withhold = (sids: string[], why: string) => {
      for (const u of sids.map((s) => unitOf.get(s)).filter((u): u is Unit => !!u && changes(u))) {
        withheld.set(u, why);
        changed = true;
      }
    };
    for (const neg of negative) {
      const inRule = neg.sids.filter((s) => unitOf.has(s));
      if (distinctNodes(inRule.map((s) => allowed.get(s) ?? all))) continue;
      withhold(
        inRule,
        `guarding it would leave keep-apart rule '${neg.id}' unsatisfiable (${inRule.join(', ')} need distinct nodes where their CPU runs); a model change (see plan) lets it run on more nodes`,
      );
    }
    // Checked over every rule in the file, the ones PVE drops already included: it checks them together
    for (const [id, why] of infeasibleRules(finalRules(placement, holders, read.affinityRules, mode), all)) {
      if (droppedNow.has(id)) continue;
      const rule = finalRules(placement, holders, read.affinityRules, mode).find((r) => r.id === id)!;
      withhold(
        rule.resources,
        `guarding it would make Proxmox drop rule '${holderIdOf(id, mode)}' (${why.join('; ')})`,
      );
    }
    if (!changed) break;
    placement = place(units, holders, new Set(withheld.keys()), specs);
  }

  const vms: GuardVm[] = [];
  const vmBySid = new Map(cluster.vms.map((v) => [`vm:${v.vmid}`, v]));
  const finalAllowed = compiledAllowed(placement, holders, all, dropped);
  for (const u of units)
    for (const sid of u.vmSids) {
      const sn = safeOf.get(sid);
      const vm = vmBySid.get(sid)!;
      const before = allowedBy(u.holder && !dropped(u.holder) ? u.holder : null, all);
      const after = finalAllowed.get(sid) ?? all;
      const vmNotes: string[] = [];
      let status: GuardStatus;
      if (!sn) status = 'unknown-cpu';
      else if (u.voidAdmin) {
        status = 'withheld';
        vmNotes.push(`${u.voidAdmin}: fix that first`);
      } else if (withheld.has(u)) {
        status = 'withheld';
        vmNotes.push(withheld.get(u)!);
      } else if (specs.get(u) === null) {
        status = 'conflict';
        vmNotes.push(
          `${u.holder!.kind} '${u.holder!.id}' allows only ${before.join(', ')}, where its CPU does not run: left alone; a model change (see plan) or a wider rule frees it`,
        );
      } else if (sameSet(before, after) && (!u.holder || !u.holder.ours))
        status = sameSet(after, all) ? 'runs-everywhere' : 'already-safe';
      else status = 'guarded';
      const c = u.constraint;
      const lost = c && !c.strict && status === 'guarded' ? c.nodes.filter((x) => !after.includes(x.node)) : [];
      if (lost.length)
        vmNotes.push(
          `${c!.kind} '${c!.id}' preferred ${lost.map((x) => x.node).join(', ')}, where its CPU does not run: no longer preferred`,
        );
      if (sn && u.safe.length === 1 && status === 'guarded')
        vmNotes.push(
          `only ${u.safe[0]} runs its CPU: HA can neither move it nor recover it on another node (a model change frees it: see plan)`,
        );
      if (u.sids.length > 1)
        vmNotes.push(`kept together with ${u.sids.filter((s) => s !== sid).join(', ')}: guarded as one`);
      vms.push({
        sid,
        vmid: vm.vmid,
        node: vm.node,
        safe: sn?.nodes ?? [],
        allowedBefore: before,
        allowedAfter: after,
        status,
        ...(placement.holderOf.get(sid) ? { holder: placement.holderOf.get(sid) } : {}),
        notes: vmNotes,
      });
    }
  for (const vm of templates)
    if (managed.includes(`vm:${vm.vmid}`)) {
      const sid = `vm:${vm.vmid}`;
      const holder = placement.holderOf.get(sid);
      vms.push({
        sid,
        vmid: vm.vmid,
        node: vm.node,
        safe: all,
        allowedBefore: finalAllowed.get(sid) ?? all,
        allowedAfter: finalAllowed.get(sid) ?? all,
        status: 'template',
        ...(holder ? { holder } : {}),
        notes: ['a template (template: 1) never starts (qemu-server vm_start), so its CPU needs no guard'],
      });
    }
  vms.sort((a, b) => a.vmid - b.vmid);
  for (const vm of cluster.vms)
    if (!managed.includes(`vm:${vm.vmid}`))
      notes.push(
        `VM ${vm.vmid} is not an HA resource: HA neither moves nor recovers it, and no rule can name it (API2/HA/Rules.pm assert_valid_resources_param)`,
      );

  const files =
    mode === 'rules'
      ? writeRules(rulesFile, holders, placement, input.files.rules)
      : writeGroups(groupsFile, resourcesFile, ha.resources, holders, placement, input.files);
  return { mode, vms, files, notes };
}

// --- writing ----------------------------------------------------------------------------------------

function extraProps(s: HaSection): Map<string, string> {
  const known = new Set(['comment', 'disable', 'nodes', 'resources', 'strict', 'type']);
  return new Map([...s.props].filter(([k, v]) => !known.has(k) && v !== undefined) as Array<[string, string]>);
}

function writeRules(f: HaFile, holders: Holder[], p: Placement, before: string | null): GuardFile[] {
  const replaced = new Map<string, string | null>();
  for (const h of holders) {
    if (p.dropped.has(h.id)) {
      replaced.set(h.id, null);
      continue;
    }
    if (p.created.some((c) => c.reuse === h)) continue;
    const spec = p.rewrite.get(h.id);
    const members = membersAfter(h, p);
    if (!spec && sameSet(members, h.members)) continue;
    const comment = h.section.props.get('comment');
    // A negative rule narrowed is written as the positive rule over the nodes it keeps (its
    // `affinity negative` goes); unchanged, it keeps the nodes it lists and its affinity
    const extra = extraProps(h.section);
    if (spec && h.negative) extra.delete('affinity');
    replaced.set(
      h.id,
      renderNodeAffinityRule(
        {
          id: h.id,
          resources: members,
          nodes: spec ? spec.nodes : (h.negative?.listed ?? h.nodes),
          strict: spec ? spec.strict : h.strict,
          // A holder is a rule in force: a `disable` line there held no boolean, and PVE drops it too
          ...(comment !== undefined ? { comment: decodeText(comment) } : {}),
        },
        extra,
      ),
    );
  }
  const added: string[] = [];
  for (const c of p.created) {
    const text = renderNodeAffinityRule({
      id: c.id,
      resources: c.sids,
      nodes: c.spec.nodes,
      strict: c.spec.strict,
      comment: guardComment(c.sids, c.origin),
    });
    if (c.reuse) replaced.set(c.id, text);
    else added.push(text);
  }
  const after = rewriteHaFile(f, replaced, added);
  return after === (before ?? '') ? [] : [{ name: 'rules.cfg', before, after }];
}

/**
 * A group's `nofailback` as PVE reads it, undefined when not written: a bare key is true
 * (SectionConfig.pm check_value), a value that is no boolean is dropped, so the default 0.
 */
function nofailbackIn(s: HaSection): boolean | undefined {
  return s.props.has('nofailback') ? (haBoolean(s.props.get('nofailback')) ?? false) : undefined;
}

function writeGroups(
  groups: HaFile,
  resources: HaFile,
  typedResources: HaResource[],
  holders: Holder[],
  p: Placement,
  files: GuardInput['files'],
): GuardFile[] {
  const gReplaced = new Map<string, string | null>();
  for (const h of holders) {
    if (p.dropped.has(h.id)) {
      gReplaced.set(h.id, null);
      continue;
    }
    const spec = p.rewrite.get(h.id);
    if (!spec || p.created.some((c) => c.reuse === h)) continue;
    const nofailback = nofailbackIn(h.section);
    gReplaced.set(
      h.id,
      renderGroup({
        id: h.id,
        nodes: spec.nodes,
        restricted: spec.strict,
        ...(nofailback !== undefined ? { nofailback } : {}),
        ...(h.section.props.get('comment') ? { comment: h.section.props.get('comment') } : {}),
      }),
    );
  }
  const nofailbackOf = (c: Placement['created'][number]) => {
    const from = c.origin && holders.find((h) => h.id === c.origin!.id);
    const v = from ? nofailbackIn(from.section) : undefined;
    return v === undefined ? {} : { nofailback: v };
  };
  const gAdded: string[] = [];
  for (const c of p.created) {
    const text = renderGroup({
      id: c.id,
      nodes: c.spec.nodes,
      restricted: c.spec.strict,
      ...nofailbackOf(c),
      comment: guardComment(c.sids, c.origin),
    });
    if (c.reuse) gReplaced.set(c.id, text);
    else gAdded.push(text);
  }
  const rReplaced = new Map<string, string | null>();
  for (const r of typedResources) {
    const [type, id] = r.sid.split(':');
    const s = sectionOf(resources, type, id);
    const target = p.holderOf.get(r.sid);
    if (target && r.group !== target) rReplaced.set(s.id, withGroup(s, target));
    // Out of a group of ours that goes: no group (nothing constrains it, it runs everywhere)
    else if (!target && r.group && p.dropped.has(r.group)) rReplaced.set(s.id, withGroup(s, null));
  }
  const out: GuardFile[] = [];
  const gAfter = rewriteHaFile(groups, gReplaced, gAdded);
  if (gAfter !== (files.groups ?? '')) out.push({ name: 'groups.cfg', before: files.groups, after: gAfter });
  const rAfter = rewriteHaFile(resources, rReplaced, []);
  if (rAfter !== (files.resources ?? '')) out.push({ name: 'resources.cfg', before: files.resources, after: rAfter });
  return out;
}
