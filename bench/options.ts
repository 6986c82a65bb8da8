/** The benches' command-line options, `--name value` anywhere in the arguments: one reading for all. */
import { resolve } from 'node:path';

function valueOf(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v === undefined || v.startsWith('--') ? undefined : v;
}

export const numberOption = (name: string, fallback: number): number => Number(valueOf(name) ?? fallback);

export const stringOption = (name: string, fallback: string): string => valueOf(name) ?? fallback;

/** A path option (another build's main.js), resolved; null when not given. */
export function pathOption(name: string): string | null {
  const v = valueOf(name);
  return v === undefined ? null : resolve(v);
}
