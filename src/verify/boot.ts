/**
 * Boots one throwaway QEMU guest (kernel + initramfs, no disks, no network) through the boot script
 * (boot-script.ts), on this machine or, with another runner, on a node over SSH, and collects what it
 * printed: the promise QEMU gave, the phases the boot went through, QEMU's exit and the guest's logs.
 * The script's private temp directory is always removed and QEMU always killed when a limit passes.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Accel } from '../qemu/qmp.js';
import { InputError } from '../errors.js';
import { compareVersions } from '../version.js';
import { runProcess, type ProcessOutcome } from '../process/run-process.js';
import { buildBootScript, phaseLimits, type PhaseName } from './boot-script.js';
import { parseBootBundle, type BootBundle } from './boot-bundle.js';

/** How the boot script ended: what any runner reports (the fleet's ssh runner reports more). */
export type ScriptOutcome = Pick<ProcessOutcome, 'stdout' | 'stderr' | 'code' | 'signal' | 'timedOut' | 'spawnError'>;

/** Runs the boot script somewhere (default: this machine's /bin/sh) and returns how that ended. */
export type ScriptRunner = (script: string, timeoutMs: number) => Promise<ScriptOutcome>;

/** The script's report is small; anything far beyond is not ours. */
const MAX_SCRIPT_OUTPUT = 16 * 1024 * 1024;

/**
 * `/bin/sh -s` here, the script on stdin, in a process group of its own (run-process.ts) so QEMU
 * goes with it when the bound passes or this process ends.
 */
export const runLocally: ScriptRunner = (script, timeoutMs) =>
  runProcess('/bin/sh', ['-s'], { input: script, timeoutMs, maxOutputBytes: MAX_SCRIPT_OUTPUT });

export interface BootOptions {
  /** The full -cpu argument, e.g. "Westmere,-aes,enforce" */
  cpu: string;
  /** The QMP model whose static expansion is the promise */
  qmpModel: { name: string; props: Record<string, unknown> };
  /** auto: KVM when /dev/kvm is usable where it boots, else TCG */
  accel: Accel | 'auto';
  /** Guest kernel path where it boots; default the newest /boot/vmlinuz-* there */
  kernel?: string;
  /** The initramfs bytes (gzip'd newc) */
  initrd: Uint8Array;
  /** The whole boot's limit under KVM and under TCG (phase limits derive from it: boot-script.ts) */
  timeoutMs: { kvm: number; tcg: number };
  /** Per-phase limits given by the user */
  phaseTimeoutMs?: Partial<Record<PhaseName, number>>;
  binary?: string;
  memoryMb?: number;
  run?: ScriptRunner;
}

export type BootStatus =
  /** QEMU ran and exited by itself (the guest powered off or rebooted) */
  | 'exited'
  /** QEMU would not start the CPU model: the accelerator lacks features (enforce) */
  | 'refused'
  /** QEMU failed otherwise: bad option, crash, assertion */
  | 'failed'
  /** Killed: a phase or the whole boot ran over its limit */
  | 'timeout'
  /** Never tried: no QEMU or guest kernel there, the connection failed, the answer was cut off */
  | 'unrun';

export interface BootResult {
  status: BootStatus;
  argv: string[];
  exitCode: number | null;
  stderr: string;
  /** ttyS0 and the firmware's debug port: SeaBIOS, the kernel's messages, /init's phase markers */
  console: string;
  /** ttyS1: the guest report channel */
  report: string;
  durationMs: number;
  /** Everything the script said (setup, QMP promise, phases) */
  bundle: BootBundle;
  /** Why it never ran (status unrun) */
  unrunReason: string | null;
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

/** Bounds the runner a little above the script's own total limit (it kills QEMU itself). */
const RUNNER_MARGIN_MS = 30_000;

/** Boots and waits for the script to end; never throws for what the guest, QEMU or the node did. */
export async function boot(options: BootOptions): Promise<BootResult> {
  const script = buildBootScript({
    cpu: options.cpu,
    qmpModel: options.qmpModel,
    accel: options.accel,
    limits: {
      kvm: phaseLimits(options.timeoutMs.kvm, options.phaseTimeoutMs),
      tcg: phaseLimits(options.timeoutMs.tcg, options.phaseTimeoutMs),
    },
    initrd: options.initrd,
    kernel: options.kernel,
    qemuBinary: options.binary,
    memoryMb: options.memoryMb,
  });
  const started = Date.now();
  const run = options.run ?? runLocally;
  const outcome = await run(script, Math.max(options.timeoutMs.kvm, options.timeoutMs.tcg) + RUNNER_MARGIN_MS);
  const bundle = parseBootBundle(outcome.stdout);
  const durationMs = Date.now() - started;
  let unrunReason: string | null = null;
  if (outcome.spawnError) unrunReason = `could not start: ${outcome.spawnError}`;
  else if (bundle.error) unrunReason = bundle.error;
  else if (!bundle.complete)
    unrunReason = outcome.timedOut
      ? 'the boot script did not finish in time and was killed'
      : `the boot report was cut off (exit ${outcome.code ?? outcome.signal}${outcome.stderr.trim() ? `: ${outcome.stderr.trim().split('\n').pop()}` : ''})`;
  let status: BootStatus;
  if (unrunReason && !bundle.argv.length) status = 'unrun';
  else if (bundle.stuck) status = 'timeout';
  else if (parseRefusal(bundle.stderr)) status = 'refused';
  else if (bundle.exitCode === 0 && bundle.complete) status = 'exited';
  else if (!bundle.complete) status = 'unrun';
  else status = 'failed';
  return {
    status,
    argv: bundle.argv,
    exitCode: bundle.exitCode,
    stderr: bundle.stderr,
    console: bundle.console,
    report: bundle.report,
    durationMs: bundle.elapsedMs ?? durationMs,
    bundle,
    unrunReason: status === 'unrun' ? (unrunReason ?? 'the boot did not run') : null,
  };
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
      `no ${bootDir}/vmlinuz-* kernel found: install one (Debian: linux-image-amd64) or pass --guest-kernel PATH`,
    );
  names.sort((a, b) => compareVersions(b.slice(8), a.slice(8)) || b.localeCompare(a));
  const newest = join(bootDir, names[0]);
  try {
    accessSync(newest, constants.R_OK);
  } catch {
    throw new Error(
      `${newest} is not readable by this user (some distributions make it root-only): run as root or pass --guest-kernel PATH`,
    );
  }
  return newest;
}
