/** Every host-data format, detected from content, read into HostProfiles. Runs in Node and the browser. */
import { InputError } from '../errors.js';
import type { HostProfile } from '../profile/host-profile.js';
import { cpuinfoReader } from './cpuinfo-reader.js';
import { profileJsonReader } from './profile-json.js';
import { qmpReader } from './qmp-reply.js';
import type { Reader } from './reader.js';
import { EXTRA_READERS } from './more-readers.js';
import { probeReader } from './probe-reader.js';
import { withKernel } from './guest-view.js';
import { refuseIncomplete, type ReadOptions } from './completeness.js';
import { notHostData } from './other-inputs.js';
import { checkFormatSize } from './size-caps.js';
import { validateProfiles } from './validate-profiles.js';

export type { ReadOptions };

/** A reader whose every profile has passed the HostProfile schema: no reader returns what it would refuse. */
function validated(r: Reader): Reader {
  return { ...r, read: (text, where, name) => validateProfiles(r.read(text, where, name), where) };
}

/** Order matters only where formats overlap: the most specific first. */
export const READERS: Reader[] = [probeReader, profileJsonReader, ...EXTRA_READERS, qmpReader, cpuinfoReader].map(
  validated,
);

export function supportedFormats(): string {
  return READERS.map((r) => r.describe).join('; ');
}

export interface ReadContext extends ReadOptions {
  /** Host kernel release for sources that do not carry one (what KVM offers depends on it) */
  kernel?: string | null;
}

/**
 * Reads one input's text. `name` is the host name to use when the content has none. Data lacking
 * what every x86-64 host has is refused unless `allowIncomplete`.
 */
export function readProfilesFromText(text: string, where: string, name: string, ctx: ReadContext = {}): HostProfile[] {
  // A byte order mark (Windows editors add one) is not content
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // \S is exactly what trim() keeps: nothing of it means empty, found without copying the text
  if (!/\S/.test(text)) throw new InputError(where, 'empty input; expected host CPU data');
  if (text.includes('\u0000')) throw new InputError(where, 'binary data, not text; expected host CPU data');
  const reader = READERS.find((r) => r.detect(text));
  if (!reader) {
    const other = notHostData(text);
    throw new InputError(where, other ? `this is ${other}` : `unrecognized format; supported: ${supportedFormats()}`);
  }
  checkFormatSize(reader.format, text, where);
  const kernel = ctx.kernel;
  // Profiles read from Linux flags record the kernel they were judged for
  const profiles = kernel
    ? withKernel(kernel, () => reader.read(text, where, name)).map((p) => (p.exact || p.kernel ? p : { ...p, kernel }))
    : reader.read(text, where, name);
  return refuseIncomplete(profiles, where, ctx);
}

/** A `--kernel` value: a Linux release like 6.8 or 6.8.12-4-pve. */
export function parseKernelOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+\.\d+(?:[.\-+~][\w.+~-]*)?$/.test(value) || value.length > 64)
    throw new InputError(
      '--kernel',
      `"${value.slice(0, 64)}" is not a Linux release; expected e.g. 6.8 or 6.8.12-4-pve`,
    );
  return value;
}

/** Host name from a path: the file name without directory and extension. */
export function hostNameFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() || path;
  return base.replace(/\.(cpuinfo|txt|json|xml|log|out|dump|raw)$/i, '') || base;
}

/** Gives every profile a unique name, suffixing duplicates (two inputs named "pve1"). */
export function uniqueNames(profiles: HostProfile[]): HostProfile[] {
  const seen = new Map<string, number>();
  return profiles.map((p) => {
    const n = seen.get(p.name) ?? 0;
    seen.set(p.name, n + 1);
    return n ? { ...p, name: `${p.name}#${n + 1}` } : p;
  });
}
