/**
 * Just enough C for KVM's CPUID code: find a function's body and walk its statements with the
 * if/else conditions that guard each one. Not a C parser: it knows blocks, if/else, switch/case,
 * do/while/for, and that comments and preprocessor lines carry no statements.
 */

export interface Statement {
  /** The statement as written (comments kept: KVM's `0 /* DCA *\/` lists need them) */
  text: string;
  /** Conditions of the enclosing ifs, outermost first; `!(c)` for else branches */
  conds: string[];
  /** 1-based line of the statement's first character */
  line: number;
}

/** Blank out preprocessor lines (keeping offsets) so #ifdef branches read as plain code. */
export function blankPreprocessor(src: string): string {
  return src.replace(/^[ \t]*#.*(?:\\\n.*)*$/gm, (m) => m.replace(/[^\n]/g, ' '));
}

/** Offset just after the bracket matching the one at `open`, skipping comments and strings. */
export function matchBracket(src: string, open: number): number {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const stack: string[] = [];
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '*') {
      i = src.indexOf('*/', i + 2) + 1;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      continue;
    }
    if (c === '"' || c === "'") {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) throw new Error(`unbalanced ${c} at offset ${i}`);
      if (!stack.length) return i + 1;
    }
  }
  throw new Error(`no closing bracket for offset ${open}`);
}

/** [start, end) of the body (inside the braces) of every definition of function `name`. */
export function functionBodies(src: string, name: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = new RegExp(`^[\\w \\t*]*\\b${name}\\s*\\(`, 'gm');
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const paren = src.indexOf('(', m.index + m[0].length - 1);
    const after = matchBracket(src, paren);
    const rest = /^\s*\{/.exec(src.slice(after));
    if (!rest) continue; // a prototype or a call
    const open = after + rest[0].length - 1;
    out.push([open + 1, matchBracket(src, open) - 1]);
  }
  return out;
}

function skipSpaceAndComments(src: string, i: number, end: number): number {
  for (;;) {
    while (i < end && /\s/.test(src[i])) i++;
    if (src.startsWith('/*', i)) i = src.indexOf('*/', i + 2) + 2;
    else if (src.startsWith('//', i)) i = src.indexOf('\n', i);
    else return i;
  }
}

/** End (after the `;`) of the simple statement starting at i. */
function statementEnd(src: string, i: number, end: number): number {
  while (i < end) {
    const c = src[i];
    if (c === '(' || c === '{' || c === '[') i = matchBracket(src, i);
    else if (src.startsWith('/*', i)) i = src.indexOf('*/', i + 2) + 2;
    else if (c === ';') return i + 1;
    else i++;
  }
  return end;
}

/** Every statement of src[start, end) with its guarding conditions. */
export function walkStatements(src: string, start: number, end: number, lineOf: (i: number) => number): Statement[] {
  const out: Statement[] = [];
  const walk = (from: number, to: number, conds: string[]): void => {
    let i = from;
    let inner = conds;
    for (;;) {
      i = skipSpaceAndComments(src, i, to);
      if (i >= to) return;
      // `case X:` guards what follows it in the switch block (as a `case X` condition)
      const label = /^(case\b[^:]*|default\s*):/.exec(src.slice(i, i + 80));
      if (label) {
        const prev = inner.length > conds.length ? inner[inner.length - 1] : null;
        const fallsThrough = prev !== null && !lastWasBreak;
        inner = [...conds, fallsThrough ? `${prev} || ${label[1].trim()}` : label[1].trim()];
        i += label[0].length;
        continue;
      }
      const before = out.length;
      i = walkOne(i, to, inner);
      lastWasBreak = out.length > before && /^(break|return)\b/.test(out[out.length - 1].text);
    }
  };
  let lastWasBreak = false;
  /** One statement (or block / if / loop) at i; returns the offset after it. */
  const walkOne = (i: number, to: number, conds: string[]): number => {
    const head = /^(if|switch|for|while)\s*\(/.exec(src.slice(i, i + 12));
    if (src[i] === '{') {
      const close = matchBracket(src, i);
      walk(i + 1, close - 1, conds);
      return close;
    }
    if (head) {
      const paren = i + head[0].length - 1;
      const after = matchBracket(src, paren);
      const cond = src
        .slice(paren + 1, after - 1)
        .replace(/\s+/g, ' ')
        .trim();
      const inner = head[1] === 'if' ? [...conds, cond] : conds;
      let j = walkOne(skipSpaceAndComments(src, after, to), to, inner);
      if (head[1] !== 'if') return j;
      const k = skipSpaceAndComments(src, j, to);
      if (/^else\b/.test(src.slice(k, k + 5))) {
        j = walkOne(skipSpaceAndComments(src, k + 4, to), to, [...conds, `!(${cond})`]);
      }
      return j;
    }
    if (/^do\b/.test(src.slice(i, i + 3))) {
      const body = skipSpaceAndComments(src, i + 2, to);
      const j = walkOne(body, to, conds);
      return statementEnd(src, j, to); // the `while (...);`
    }
    const j = statementEnd(src, i, to);
    out.push({ text: src.slice(i, j), conds, line: lineOf(i) });
    return j;
  };
  walk(start, end, []);
  return out;
}

export function lineIndex(src: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') starts.push(i + 1);
  return (offset) => {
    let lo = 0,
      hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** The statements of the named functions in one file. */
export function statementsOf(src: string, names: string[]): Statement[] {
  const clean = blankPreprocessor(src);
  const lineOf = lineIndex(clean);
  const out: Statement[] = [];
  for (const n of names)
    for (const [s, e] of functionBodies(clean, n)) out.push(...walkStatements(clean, s, e, lineOf));
  return out;
}
