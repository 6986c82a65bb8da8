/**
 * KVM's C conditions (`!tdp_enabled || !boot_cpu_has(X86_FEATURE_OSPKE)`) turned into host literals
 * a profile can test: `flag:ospke` (a /proc/cpuinfo flag), `bug:mds` (a cpuinfo bug), `host` (the
 * host has the bit itself). Module parameters and hardware details cpuinfo cannot show come from
 * the curated assumptions (each citing its source); anything else is unknown and resolved the
 * conservative way: never claim a bit on a guess.
 */
import { and, FALSE, lit, not, or, TRUE, type Dnf } from './dnf.js';
import type { LinuxHeaders } from './linux-headers.js';

export interface Assumption {
  value: boolean | string;
  why: string;
  /** The module parameter it stands for ("kvm_intel,kvm_amd nested"): the generator flips it to see what it gates */
  param?: string;
}

export interface ConditionContext {
  headers: LinuxHeaders;
  assumptions: Record<string, Assumption>;
  /** Bodies of the vendor module's helpers (svm_rdtscp_supported -> "boot_cpu_has(...)") */
  vendorReturns: Map<string, string>;
  vendorPrefix: 'svm' | 'vmx';
  /** What KVM offers so far, for kvm_cpu_cap_has() */
  capHas: (linuxName: string) => Dnf | null;
  unknown: Set<string>;
}

type Node = { op: 'and' | 'or'; args: Node[] } | { op: 'not'; arg: Node } | { op: 'atom'; text: string };

function parse(expr: string): Node {
  let i = 0;
  const s = expr;
  const ws = () => {
    while (/\s/.test(s[i] ?? '')) i++;
  };
  /** `next (token next)*` as one n-ary node */
  const chain = (op: 'and' | 'or', token: string, next: () => Node): Node => {
    const args = [next()];
    for (ws(); s.startsWith(token, i); ws()) {
      i += 2;
      args.push(next());
    }
    return args.length === 1 ? args[0] : { op, args };
  };
  const parseOr = (): Node => chain('or', '||', parseAnd);
  const parseAnd = (): Node => chain('and', '&&', parseUnary);
  const parseUnary = (): Node => {
    ws();
    if (s[i] === '!' && s[i + 1] !== '=') {
      i++;
      return { op: 'not', arg: parseUnary() };
    }
    if (s[i] === '(') {
      i++;
      const n = parseOr();
      ws();
      i++; // ')'
      return n;
    }
    const start = i;
    let depth = 0;
    while (i < s.length) {
      const c = s[i];
      if (c === '(') depth++;
      else if (c === ')') {
        if (!depth) break;
        depth--;
      } else if (!depth && (s.startsWith('&&', i) || s.startsWith('||', i))) break;
      i++;
    }
    return { op: 'atom', text: s.slice(start, i).replace(/\s+/g, ' ').trim() };
  };
  return parseOr();
}

function atom(text: string, ctx: ConditionContext, pessimistic: boolean): Dnf {
  const assumed =
    ctx.assumptions[`${text}@${ctx.vendorPrefix}`] ??
    ctx.assumptions[text] ??
    (/^WARN_ON(?:_ONCE)?\(/.test(text) ? ctx.assumptions['WARN_ON(...)'] : undefined);
  if (assumed) return typeof assumed.value === 'boolean' ? (assumed.value ? TRUE : FALSE) : lit(assumed.value);
  let m = /^(?:boot_cpu_has|static_cpu_has|cpu_feature_enabled)\(X86_FEATURE_(\w+)\)$/.exec(text);
  if (m) {
    const shown = ctx.headers.bits.get(m[1])?.cpuinfo;
    const hidden = ctx.assumptions[`hidden:${m[1]}@${ctx.vendorPrefix}`] ?? ctx.assumptions[`hidden:${m[1]}`];
    if (shown) return lit(`flag:${shown}`);
    if (hidden) return typeof hidden.value === 'boolean' ? (hidden.value ? TRUE : FALSE) : lit(hidden.value);
  }
  m = /^(?:boot_cpu_has_bug|static_cpu_has_bug)\(X86_BUG_(\w+)\)$/.exec(text);
  if (m && ctx.headers.bugs.has(m[1])) return lit(`bug:${ctx.headers.bugs.get(m[1])}`);
  m = /^kvm_cpu_cap_has\(X86_FEATURE_(\w+)\)$/.exec(text);
  if (m) {
    const d = ctx.capHas(m[1]);
    if (d) return d;
  }
  m = /^(?:kvm_x86_ops(?:->|\.)(\w+)\(\)|static_call\(kvm_x86_(\w+)\)\(\))(.*)$/.exec(text);
  if (m) {
    const body = ctx.vendorReturns.get(`${ctx.vendorPrefix}_${m[1] ?? m[2]}`);
    if (body !== undefined) return resolve(`${body}${m[3]}`, ctx, pessimistic);
  }
  if (/^(?:func|index) == |^case |^default$/.test(text)) return TRUE; // the leaf / sub-leaf being built
  if (text === 'true' || text === 'false') return text === 'true' ? TRUE : FALSE;
  ctx.unknown.add(text);
  return pessimistic ? FALSE : TRUE;
}

function evaluate(n: Node, ctx: ConditionContext, pessimistic: boolean): Dnf {
  switch (n.op) {
    case 'atom':
      return atom(n.text, ctx, pessimistic);
    case 'not':
      return not(evaluate(n.arg, ctx, !pessimistic));
    case 'and':
      return n.args.map((a) => evaluate(a, ctx, pessimistic)).reduce(and, TRUE);
    case 'or':
      return n.args.map((a) => evaluate(a, ctx, pessimistic)).reduce(or, FALSE);
  }
}

/**
 * A C condition as host literals. `pessimistic`: unknown atoms read as false (for conditions that
 * grant a bit) or true (for conditions that take one away), so a guess never adds a bit.
 */
export function resolve(expr: string, ctx: ConditionContext, pessimistic: boolean): Dnf {
  return evaluate(parse(expr), ctx, pessimistic);
}

/** `return EXPR;` bodies of the vendor module's small helpers, by function name. */
export function vendorReturns(src: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\b(\w+)\(void\)\s*\{\s*return\s+([^;]+);\s*\}/g;
  for (let m = re.exec(src); m; m = re.exec(src)) out.set(m[1], m[2].replace(/\s+/g, ' ').trim());
  return out;
}
