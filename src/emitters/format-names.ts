/** The output formats' names, apart from the emitters themselves so the CLI can list them without loading any. */
const NAMES = ['text', 'json', 'pve', 'pve-args', 'qemu', 'libvirt', 'nova', 'kubevirt', 'incus'] as const;

export type FormatName = (typeof NAMES)[number];

export const FORMAT_NAMES: FormatName[] = [...NAMES];

export function isFormatName(s: string): s is FormatName {
  return (NAMES as readonly string[]).includes(s);
}
