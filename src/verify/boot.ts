/**
 * Boots one throwaway QEMU guest (kernel + initramfs, no disks, no network) and collects what it printed.
 * The guest's console (kernel log) and its report go to two separate serial ports backed by files in a
 * private temp directory, which is always removed; QEMU is always killed on timeout or when we exit.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findQemu } from '../qemu/binary.js';
import type { Accel } from '../qemu/qmp.js';
import { InputError } from '../errors.js';
import { compareVersions } from '../version.js';

export interface BootOptions {
  /** The full -cpu argument, e.g. "Westmere,-aes,enforce" */
  cpu: string;
  accel: Accel;
  kernel: string;
  /** The initramfs bytes (gzip'd newc) */
  initrd: Uint8Array;
  timeoutMs: number;
  binary?: string;
  memoryMb?: number;
}

export type BootStatus =
  /** QEMU ran and exited by itself (the guest powered off or rebooted) */
  | 'exited'
  /** QEMU would not start the CPU model: the accelerator lacks features (enforce) */
  | 'refused'
  /** QEMU failed otherwise: bad option, crash, assertion */
  | 'failed'
  /** Killed after timeoutMs */
  | 'timeout';

export interface BootResult {
  status: BootStatus;
  argv: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** ttyS0: the kernel's console */
  console: string;
  /** ttyS1: the guest report channel */
  report: string;
  durationMs: number;
}

/** QEMU's enforce refusal: the per-feature warning lines (verbatim) and the feature names in them. */
export interface Refusal {
  /** e.g. "qemu-system-x86_64: warning: TCG doesn't support requested feature: CPUID.01H:ECX.x2apic [bit 21]" */
  lines: string[];
  /** The final line, e.g. "qemu-system-x86_64: TCG doesn't support requested features" */
  summary: string;
  /** Feature names from the lines; unnamed bits appear as "CPUID.0DH:EAX[9]" */
  features: string[];
}

const FEATURE_LINE = /doesn't support requested feature: (\S+?)(?:\.([A-Za-z0-9_.-]+))? \[bit (\d+)\]/;
const SUMMARY_LINE = /doesn't support requested features\s*$/;

/** The refusal in QEMU's stderr, or null when QEMU did not refuse the model. */
export function parseRefusal(stderr: string): Refusal | null {
  const all = stderr.split(/\r?\n/).filter((l) => l.trim());
  const summary = all.find((l) => SUMMARY_LINE.test(l));
  if (!summary) return null;
  const lines = all.filter((l) => FEATURE_LINE.test(l));
  const features = lines.map((l) => {
    const m = FEATURE_LINE.exec(l)!;
    // "CPUID.07H:EBX.invpcid" splits at the last dot; an unnamed bit has no name part
    return m[2] ?? `${m[1]}[${m[3]}]`;
  });
  return { lines, summary, features };
}

/** The argv (without the binary) for a headless one-shot boot. */
export function qemuArgs(o: {
  cpu: string;
  accel: Accel;
  kernel: string;
  initrd: string;
  console: string;
  report: string;
  memoryMb?: number;
}): string[] {
  return [
    '-machine',
    `q35,accel=${o.accel}`,
    '-cpu',
    o.cpu,
    '-smp',
    '1',
    '-m',
    String(o.memoryMb ?? 256),
    '-nodefaults',
    '-display',
    'none',
    '-no-reboot',
    '-no-user-config',
    '-kernel',
    o.kernel,
    '-initrd',
    o.initrd,
    // panic=-1 turns a kernel panic into a reboot, which -no-reboot turns into QEMU exiting
    '-append',
    'console=ttyS0 quiet loglevel=3 panic=-1',
    '-chardev',
    `file,id=console,path=${o.console}`,
    '-serial',
    'chardev:console',
    '-chardev',
    `file,id=report,path=${o.report}`,
    '-serial',
    'chardev:report',
  ];
}

/** Boots and waits for QEMU to exit or be killed; never throws for what the guest or QEMU did. */
export async function boot(options: BootOptions): Promise<BootResult> {
  const binary = options.binary ?? findQemu();
  if (!binary)
    throw new Error('no QEMU found: install qemu-system-x86 (looked for qemu-system-x86_64 and kvm on PATH)');
  const dir = mkdtempSync(join(tmpdir(), 'migratable-verify-'));
  try {
    const paths = {
      initrd: join(dir, 'initrd.gz'),
      console: join(dir, 'console.log'),
      report: join(dir, 'report.log'),
    };
    writeFileSync(paths.initrd, options.initrd);
    const args = qemuArgs({ ...options, ...paths });
    const started = Date.now();
    const run = await runQemu(binary, args, options.timeoutMs);
    const durationMs = Date.now() - started;
    const read = (p: string) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return '';
      }
    };
    let status: BootStatus;
    if (run.timedOut) status = 'timeout';
    else if (parseRefusal(run.stderr)) status = 'refused';
    else if (run.exitCode === 0) status = 'exited';
    else status = 'failed';
    return {
      status,
      argv: [binary, ...args],
      exitCode: run.exitCode,
      signal: run.signal,
      stderr: run.stderr,
      console: read(paths.console),
      report: read(paths.report),
      durationMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Run {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
}

function runQemu(binary: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A QEMU left behind by a crashed or interrupted caller would run until its own timeout, or forever.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      reject(new Error(`could not start ${binary}: ${e.message}`));
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      resolve({ exitCode, signal, stderr, timedOut });
    });
  });
}

/**
 * The guest kernel: `explicit` when given (must be readable), else the newest /boot/vmlinuz-*.
 * Ubuntu keeps /boot/vmlinuz-* readable by root only, hence the hint.
 */
export function findKernel(explicit?: string, bootDir = '/boot'): string {
  if (explicit) {
    try {
      accessSync(explicit, constants.R_OK);
    } catch {
      throw new InputError(explicit, 'kernel image does not exist or is not readable');
    }
    return explicit;
  }
  let names: string[] = [];
  try {
    names = readdirSync(bootDir).filter((n) => n.startsWith('vmlinuz-'));
  } catch {
    // no /boot at all: same advice as an empty one
  }
  if (!names.length)
    throw new Error(
      `no ${bootDir}/vmlinuz-* kernel found: install one (Debian: linux-image-amd64) or pass --kernel PATH`,
    );
  names.sort((a, b) => compareVersions(b.slice(8), a.slice(8)) || b.localeCompare(a));
  const newest = join(bootDir, names[0]);
  try {
    accessSync(newest, constants.R_OK);
  } catch {
    throw new Error(
      `${newest} is not readable by this user (some distributions make it root-only): run as root or pass --kernel PATH`,
    );
  }
  return newest;
}
