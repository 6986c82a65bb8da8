/** What the hosts x features matrix shows, as plain data: columns, rows, grouping, sorting, filtering. Pure. */
import type { Category } from '../../catalog/types.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { CATEGORY_ORDER, categoryOf, info } from './feature-status.js';

/** Among the selected hosts a feature is present everywhere, somewhere, or nowhere. */
export type ColumnState = 'all' | 'some' | 'none';

export interface Column {
  feature: string;
  category: Category;
  state: ColumnState;
  /** Selected hosts offering it */
  count: number;
}

export interface HostRow {
  kind: 'host';
  host: HostProfile;
  selected: boolean;
  /** Shown columns this host lacks */
  missing: number;
}

export interface GroupRow {
  kind: 'group';
  label: string;
  size: number;
}

export type Row = HostRow | GroupRow;

export interface MatrixView {
  filter: string;
  /** Empty = every category */
  categories: Set<Category>;
  onlyDiffering: boolean;
  sort: 'host' | 'missing';
  group: boolean;
}

export function columns(union: string[], counts: Map<string, number>, nSelected: number, v: MatrixView): Column[] {
  const needle = v.filter.trim().toLowerCase();
  const out: Column[] = [];
  for (const feature of union) {
    const category = categoryOf(feature);
    if (v.categories.size && !v.categories.has(category)) continue;
    if (needle && !matches(feature, needle)) continue;
    const count = counts.get(feature) ?? 0;
    const state: ColumnState = nSelected && count === nSelected ? 'all' : count ? 'some' : 'none';
    if (v.onlyDiffering && state === 'all') continue;
    out.push({ feature, category, state, count });
  }
  const rank = (c: Category) => CATEGORY_ORDER.indexOf(c);
  return out.sort((a, b) => rank(a.category) - rank(b.category) || a.feature.localeCompare(b.feature));
}

function matches(feature: string, needle: string): boolean {
  if (feature.includes(needle)) return true;
  const f = info(feature);
  return !!f && (f.linux?.includes(needle) || f.aliases.some((a) => a.includes(needle)));
}

/** One Set per profile object, reused across renders (profiles are never mutated). */
const haveCache = new WeakMap<HostProfile, Set<string>>();
export function haveSet(h: HostProfile): Set<string> {
  let s = haveCache.get(h);
  if (!s) haveCache.set(h, (s = new Set(h.features)));
  return s;
}

const labelCache = new WeakMap<HostProfile, string>();
/** Natural order (node-2 before node-10); one collator, since localeCompare with options builds one per call. */
export const naturalOrder = new Intl.Collator('en', { numeric: true }).compare;

export function groupLabel(h: HostProfile): string {
  let label = labelCache.get(h);
  if (label === undefined) labelCache.set(h, (label = computeGroupLabel(h)));
  return label;
}

function computeGroupLabel(h: HostProfile): string {
  const vendor = h.vendor === 'GenuineIntel' ? 'Intel' : h.vendor === 'AuthenticAMD' ? 'AMD' : h.vendor;
  return `${vendor} · ${cleanModelName(h.modelName) ?? 'unknown model'}`;
}

/** "Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz" -> "Xeon E5-2690 v4 @ 2.60GHz": the vendor is already said. */
export function cleanModelName(name: string | null): string | null {
  if (!name) return null;
  return name
    .replace(/\((R|TM|tm)\)/g, '')
    .replace(/^(Intel|AMD)\s+/, '')
    .replace(/\bCPU\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function rows(hosts: HostProfile[], selected: Set<string>, cols: Column[], v: MatrixView): Row[] {
  const hostRows: HostRow[] = hosts.map((host) => {
    const have = haveSet(host);
    let missing = 0;
    for (const c of cols) if (!have.has(c.feature)) missing++;
    return { kind: 'host', host, selected: selected.has(host.name), missing };
  });
  const cmp = (a: HostRow, b: HostRow) =>
    (v.sort === 'missing' ? b.missing - a.missing : 0) || naturalOrder(a.host.name, b.host.name);
  if (!v.group) return hostRows.sort(cmp);
  const groups = new Map<string, HostRow[]>();
  for (const r of hostRows) {
    const key = groupLabel(r.host);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
  }
  const out: Row[] = [];
  for (const [label, list] of [...groups].sort(([a], [b]) => naturalOrder(a, b))) {
    out.push({ kind: 'group', label, size: list.length }, ...list.sort(cmp));
  }
  return out;
}
