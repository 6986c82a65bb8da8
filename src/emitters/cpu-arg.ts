/** Building and reading QEMU `-cpu` arguments (`model,+feat,-feat,key=value`). */
import { canonicalFeature } from '../catalog/index.js';

/** The argument for a base plus deltas, in one style only: `+x` / `-x`, plus first, each sorted. */
export function buildCpuArg(base: string, plus: readonly string[], minus: readonly string[]): string {
  return [base, ...[...plus].sort().map((f) => `+${f}`), ...[...minus].sort().map((f) => `-${f}`)].join(',');
}

export interface ParsedCpuArg {
  model: string;
  /** Canonical feature name -> on/off, in the order they were given (a later setting wins, as in QEMU) */
  features: Map<string, boolean>;
  /** Non-boolean properties such as phys-bits=46 */
  values: Map<string, string>;
  /** Bare words that are not features (enforce, check) */
  flags: string[];
  /** Which boolean spellings occurred: `+x`/`-x` and/or `x=on`/`x=off` */
  styles: Set<'sign' | 'assign'>;
}

const ON = new Set(['on', 'true', 'yes']);
const OFF = new Set(['off', 'false', 'no']);

/** Reads a `-cpu` argument; throws on a feature name QEMU would not know. */
export function parseCpuArg(arg: string): ParsedCpuArg {
  const [model, ...parts] = arg.split(',');
  const out: ParsedCpuArg = { model, features: new Map(), values: new Map(), flags: [], styles: new Set() };
  for (const part of parts) {
    const sign = /^([+-])(.+)$/.exec(part);
    if (sign) {
      out.features.set(known(sign[2], arg), sign[1] === '+');
      out.styles.add('sign');
      continue;
    }
    const eq = part.indexOf('=');
    if (eq < 0) {
      out.flags.push(part);
      continue;
    }
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    const feature = canonicalFeature(key);
    if (feature && (ON.has(value) || OFF.has(value))) {
      out.features.set(feature, ON.has(value));
      out.styles.add('assign');
    } else out.values.set(key, value);
  }
  return out;
}

function known(name: string, arg: string): string {
  const c = canonicalFeature(name);
  if (!c) throw new Error(`-cpu ${arg}: '${name}' is not a CPU feature QEMU knows`);
  return c;
}
