/**
 * The guest side of `migratable verify`: a tiny initramfs (static busybox + an /init script) that
 * prints what the guest kernel sees of its CPU on a serial port of its own, then powers off.
 * The host-side parser for that output lives here too, so the protocol is defined in one place.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { which } from '../qemu/binary.js';
import { InputError } from '../errors.js';
import { cpioNewc, type CpioEntry } from './cpio.js';

/** Every report line starts with this, so it can be picked out of whatever else reaches the port. */
export const MARK = '@@MGV';

/** Busybox applets /init uses, linked into /bin. */
const APPLETS = ['sh', 'mount', 'cat', 'uname', 'poweroff', 'reboot', 'echo'];

/**
 * Kernel messages go to the console (ttyS0); the report goes to ttyS1, where nothing else writes,
 * so a late printk cannot split a line. If ttyS1 is missing it falls back to the console.
 * The flag count lets the host notice a garbled flags line.
 */
export const INIT_SCRIPT = `#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
M=${MARK}
# phase markers on the console (boot-script.ts watches them): /init runs, and its report is written
echo "$M-INIT" > /dev/console 2>/dev/null
out=/dev/ttyS1
[ -c $out ] || out=/dev/console
{
  echo
  echo "$M-BEGIN"
  echo "$M kernel $(uname -r)"
  while IFS= read -r l; do
    [ -z "$l" ] && break
    case "$l" in flags*) set -- \${l#*:}; echo "$M nflags $#";; esac
    echo "$M cpuinfo $l"
  done < /proc/cpuinfo
  for f in /sys/devices/system/cpu/vulnerabilities/*; do
    [ -f "$f" ] && echo "$M vuln \${f##*/}: $(cat "$f")"
  done
  echo "$M-END"
} > $out 2>&1
echo "$M-DONE" > /dev/console 2>/dev/null
poweroff -f
# poweroff failing leaves reboot (QEMU runs with -no-reboot, so it exits either way)
reboot -f
`;

/** Candidate busybox locations, most likely static first (Debian busybox-static installs /bin/busybox). */
const BUSYBOX_PLACES = ['/bin/busybox', '/usr/bin/busybox', '/sbin/busybox', '/usr/sbin/busybox'];

const PT_INTERP = 3;

/**
 * Why an ELF file cannot run on its own in an empty initramfs, or null when it can:
 * it must be x86-64 and have no PT_INTERP program header (no dynamic loader wanted).
 */
export function staticElfProblem(path: string): string | null {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    if (readSync(fd, head, 0, 64, 0) < 64 || head.readUInt32BE(0) !== 0x7f454c46) return 'is not an ELF executable';
    if (head[4] !== 2 || head[5] !== 1) return 'is not a 64-bit little-endian ELF';
    if (head.readUInt16LE(18) !== 62) return 'is not an x86-64 executable';
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    if (readSync(fd, table, 0, table.length, phoff) < table.length) return 'has a truncated program header table';
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === PT_INTERP)
        return 'is dynamically linked (it has a PT_INTERP program header)';
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * A static busybox: `explicit` (checked), else $MIGRATABLE_BUSYBOX, else the first static one in the usual places.
 * Throws with the reason and the package to install when there is none.
 */
export function findBusybox(explicit?: string): string {
  const given = explicit ?? process.env.MIGRATABLE_BUSYBOX;
  if (given) {
    const problem = fileProblem(given) ?? staticElfProblem(given);
    if (problem)
      throw new InputError(
        given,
        `busybox ${problem}; a static one is needed (Debian: apt-get install busybox-static)`,
      );
    return given;
  }
  const candidates = [...BUSYBOX_PLACES, which('busybox')].filter((p): p is string => !!p);
  const rejected: string[] = [];
  for (const c of new Set(candidates)) {
    if (fileProblem(c)) continue;
    const problem = staticElfProblem(c);
    if (!problem) return c;
    rejected.push(`${c} ${problem}`);
  }
  throw new Error(
    `no static busybox found${rejected.length ? ` (${rejected.join('; ')})` : ''}: install busybox-static (Debian/Ubuntu) or set MIGRATABLE_BUSYBOX`,
  );
}

function fileProblem(path: string): string | null {
  try {
    return statSync(path).isFile() ? null : 'is not a regular file';
  } catch {
    return 'does not exist';
  }
}

/** The gzip-compressed newc initramfs: /bin/busybox, applet links, /init, and mount points. */
export function buildInitramfs(busybox: Buffer): Buffer {
  const entries: CpioEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    ...APPLETS.map((a): CpioEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'dir', path: 'dev' },
    { type: 'dir', path: 'proc' },
    { type: 'dir', path: 'sys' },
    { type: 'file', path: 'init', data: INIT_SCRIPT, mode: 0o755 },
  ];
  // mtime 0 in the gzip header too, so identical inputs give identical bytes
  return gzipSync(cpioNewc(entries), { level: 6 });
}

/** What the guest reported about itself. */
export interface GuestReport {
  kernel: string;
  vendor: string | null;
  modelName: string | null;
  /** /proc/cpuinfo flags of the first processor, as Linux spells them */
  flags: string[];
  /** /sys/devices/system/cpu/vulnerabilities: file name -> the kernel's one-line verdict */
  vulnerabilities: Record<string, string>;
  /** Every "key: value" line of the first cpuinfo stanza */
  cpuinfo: Record<string, string>;
}

/**
 * Parses the report out of serial output (noise before, after and between lines is ignored).
 * Returns null when the report is missing or incomplete; throws when it is garbled.
 */
export function parseGuestReport(text: string): GuestReport | null {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\r/g, ''));
  const begin = lines.lastIndexOf(`${MARK}-BEGIN`);
  if (begin < 0) return null;
  const end = lines.indexOf(`${MARK}-END`, begin);
  if (end < 0) return null;
  const view: GuestReport = { kernel: '', vendor: null, modelName: null, flags: [], vulnerabilities: {}, cpuinfo: {} };
  let expectedFlags: number | null = null;
  for (const line of lines.slice(begin + 1, end)) {
    if (!line.startsWith(MARK + ' ')) continue;
    const rest = line.slice(MARK.length + 1);
    const space = rest.indexOf(' ');
    const key = space < 0 ? rest : rest.slice(0, space);
    const value = space < 0 ? '' : rest.slice(space + 1);
    if (key === 'kernel') view.kernel = value.trim();
    else if (key === 'nflags') expectedFlags = Number(value);
    else if (key === 'cpuinfo') {
      const colon = value.indexOf(':');
      if (colon < 0) continue;
      view.cpuinfo[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
    } else if (key === 'vuln') {
      const colon = value.indexOf(':');
      if (colon > 0) view.vulnerabilities[value.slice(0, colon)] = value.slice(colon + 1).trim();
    }
  }
  view.vendor = view.cpuinfo['vendor_id'] ?? null;
  view.modelName = view.cpuinfo['model name'] ?? null;
  view.flags = (view.cpuinfo['flags'] ?? '').split(/\s+/).filter(Boolean);
  if (expectedFlags !== null && expectedFlags !== view.flags.length) {
    throw new Error(`guest report garbled: ${expectedFlags} flags announced, ${view.flags.length} received`);
  }
  return view;
}
