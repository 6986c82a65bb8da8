/**
 * QEMU's -cpu argument (`Model,+a,-b,c=on,d=off,key=value,e`): the one reader and writer of its syntax.
 * splitCpuArg keeps every option as QEMU's x86 parser sees it (verify hands them to QMP);
 * parseCpuString reads them into canonical catalog features and the options that are not features.
 */
import { canonicalFeature } from '../catalog/index.js';
import { cpuProperty } from '../catalog/qemu-cpu.js';

export function cpuString(base: string, plus: string[], minus: string[]): string {
  // One style only: QEMU warns about (and may one day refuse) strings mixing +x and x=off
  return [base, ...plus.map((f) => `+${f}`), ...minus.map((f) => `-${f}`)].join(',');
}

export interface CpuArgOption {
  /** The option as written (trimmed); '' for an empty one (`a,,b`) */
  token: string;
  /** `+a`, `-a`, `a=...` and bare `a` all give `a` */
  key: string;
  /** +a and a bare name: true; -a: false; key=value: the value as written */
  value: boolean | string;
}

/** The model name and every option after it, in order, as QEMU's x86 -cpu parser splits them. */
export function splitCpuArg(s: string): { model: string; options: CpuArgOption[] } {
  const [model, ...parts] = s.trim().split(',');
  const options = parts.map((raw): CpuArgOption => {
    const token = raw.trim();
    if (token[0] === '+' || token[0] === '-') return { token, key: token.slice(1), value: token[0] === '+' };
    const eq = token.indexOf('=');
    if (eq >= 0) return { token, key: token.slice(0, eq), value: token.slice(eq + 1) };
    return { token, key: token, value: true };
  });
  return { model: model.trim(), options };
}

/** QEMU's boolean words for a property (qapi_bool_parse); undefined for anything else. */
export function onOff(value: string): boolean | undefined {
  if (value === 'on' || value === 'yes' || value === 'true') return true;
  if (value === 'off' || value === 'no' || value === 'false') return false;
  return undefined;
}

export interface ParsedCpu {
  model: string;
  /** Canonical feature -> on/off, last one wins like QEMU */
  features: Map<string, boolean>;
  /** key=value options that are not features (phys-bits, vendor, enforce, ...) */
  options: Map<string, string>;
  /** Feature names QEMU would reject */
  unknown: string[];
}

/** A name QEMU takes bare or as +/- that is an option of its x86 CPU, not a feature (enforce, pmu, hv-*). */
const isNonFeatureFlag = (name: string) => cpuProperty(name)?.type === 'bool';

export function parseCpuString(s: string): ParsedCpu {
  const { model, options: parts } = splitCpuArg(s);
  const features = new Map<string, boolean>();
  const options = new Map<string, string>();
  const unknown: string[] = [];
  for (const { key, value } of parts) {
    if (!key) continue;
    const on = typeof value === 'boolean' ? value : canonicalFeature(key) ? onOff(value) : undefined;
    if (on === undefined) {
      options.set(key, value as string);
      continue;
    }
    const canon = canonicalFeature(key);
    if (canon) features.set(canon, on);
    else if (isNonFeatureFlag(key)) options.set(key, on ? 'on' : 'off');
    else unknown.push(key);
  }
  return { model, features, options, unknown };
}
