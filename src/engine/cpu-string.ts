/** QEMU -cpu strings: building ours and reading anyone's (`Model,+a,-b,c=on,d=off,key=value`). */
import { canonicalFeature } from '../catalog/index.js';

export function cpuString(base: string, plus: string[], minus: string[]): string {
  // One style only: QEMU warns about (and may one day refuse) strings mixing +x and x=off
  return [base, ...plus.map((f) => `+${f}`), ...minus.map((f) => `-${f}`)].join(',');
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

const NON_FEATURE_FLAGS = new Set([
  'enforce',
  'check',
  'migratable',
  'host-phys-bits',
  'l3-cache',
  'kvm',
  'hv-passthrough',
  'pmu',
]);

export function parseCpuString(s: string): ParsedCpu {
  const [model, ...parts] = s.trim().split(',');
  const features = new Map<string, boolean>();
  const options = new Map<string, string>();
  const unknown: string[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) continue;
    let name: string;
    let on: boolean | null = null;
    if (part[0] === '+' || part[0] === '-') {
      name = part.slice(1);
      on = part[0] === '+';
    } else if (part.includes('=')) {
      const [k, v] = [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)];
      if (/^(on|off|true|false|yes|no)$/i.test(v) && canonicalFeature(k)) {
        name = k;
        on = /^(on|true|yes)$/i.test(v);
      } else {
        options.set(k, v);
        continue;
      }
    } else {
      if (NON_FEATURE_FLAGS.has(part) || part.startsWith('hv_') || part.startsWith('hv-')) {
        options.set(part, 'on');
        continue;
      }
      name = part;
      on = true;
    }
    const canon = canonicalFeature(name);
    if (!canon) {
      if (NON_FEATURE_FLAGS.has(name) || /^hv[-_]/.test(name)) options.set(name, on ? 'on' : 'off');
      else unknown.push(name);
      continue;
    }
    features.set(canon, on!);
  }
  return { model, features, options, unknown };
}
