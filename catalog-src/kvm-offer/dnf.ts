/**
 * Conditions as a disjunction of conjunctions of host literals ("host", "flag:ospke", "!bug:mds", ...).
 * [] is false, [[]] is true. Small by nature: KVM guards a bit with a handful of tests at most.
 */
export type Dnf = string[][];

export const TRUE: Dnf = [[]];
export const FALSE: Dnf = [];

const negLit = (l: string) => (l.startsWith('!') ? l.slice(1) : `!${l}`);

function simplify(d: Dnf): Dnf {
  const terms = d
    .map((t) => [...new Set(t)].sort())
    .filter((t) => !t.some((l) => t.includes(negLit(l)))) // x && !x
    .map((t) => t.join('&'));
  const uniq = [...new Set(terms)].map((t) => (t ? t.split('&') : []));
  // absorption: drop a term that contains another term
  const kept = uniq.filter(
    (t, i) => !uniq.some((u, j) => j !== i && u.length < t.length && u.every((l) => t.includes(l))),
  );
  return kept.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

export function or(a: Dnf, b: Dnf): Dnf {
  return simplify([...a, ...b]);
}

export function and(a: Dnf, b: Dnf): Dnf {
  const out: Dnf = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  return simplify(out);
}

export function not(a: Dnf): Dnf {
  // !(t1 || t2) = !t1 && !t2, each !t a disjunction of negated literals
  let acc: Dnf = TRUE;
  for (const t of a) acc = and(acc, t.length ? t.map((l) => [negLit(l)]) : FALSE);
  return acc;
}

export const lit = (l: string): Dnf => [[l]];
