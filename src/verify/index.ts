/**
 * `migratable verify`: boot a real guest with `-cpu <model>,enforce` and compare what its kernel sees
 * with what QEMU promised for that model (query-cpu-model-expansion, same accelerator).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readInputText } from '../sources/files.js';
import { DEFAULT_FORMAT_CAP } from '../sources/size-caps.js';
import { findQemu, kvmUsable } from '../qemu/binary.js';
import { enabledProps, type Accel, type CpuModelInfo } from '../qemu/qmp.js';
import { linuxFlag, linuxPrints, resolveFeature } from '../catalog/index.js';
import { InputError } from '../errors.js';
import { onOff, splitCpuArg } from '../formats/qemu-cpu.js';
import { boot, findKernel, parseRefusal, type BootResult, type ScriptRunner } from './boot.js';
import type { PhaseName } from './boot-script.js';
import type { PhaseTiming } from './boot-bundle.js';
import { phaseAdvice } from './phase-advice.js';
import { buildInitramfs, findBusybox, parseGuestReport, type GuestReport } from './initramfs.js';

export type PropValue = boolean | number | string;

export interface QmpModel {
  name: string;
  props: Record<string, PropValue>;
}

/** Options of the -cpu string that steer QEMU's checking and are not part of the model. */
const CHECK_OPTIONS = new Set(['enforce', 'check']);

/**
 * The QMP CpuModelInfo for a -cpu string (formats/qemu-cpu.ts splits it the way QEMU's x86 parser
 * does; `_` in names means `-`), with values typed for QMP (numbers stay numbers). enforce/check are
 * dropped. Every prop stays as QEMU itself will see it, feature or not.
 */
export function qmpModelOf(cpu: string): QmpModel {
  const { model: name, options } = splitCpuArg(cpu);
  if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new InputError('MODEL', `"${cpu}" does not start with a CPU model name`);
  const props: Record<string, PropValue> = {};
  for (const { token, key: written, value: raw } of options) {
    if (!token) throw new InputError('MODEL', `empty option in "${cpu}"`);
    const key = written.replace(/_/g, '-');
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(key)) throw new InputError('MODEL', `bad option "${token}" in "${cpu}"`);
    if (CHECK_OPTIONS.has(key)) continue;
    // QMP wants typed values: integer props (level, family) reject strings
    props[key] =
      typeof raw === 'boolean' ? raw : (onOff(raw) ?? (/^(0x[0-9a-f]+|\d+)$/i.test(raw) ? Number(raw) : raw));
  }
  return { name, props };
}

/**
 * MODEL as given on the command line: a -cpu string, or a file holding `migratable baseline --format json`
 * output (an object with a `cpu` string).
 */
const MODEL_INPUT = {
  expected: 'a model: baseline --format json output, a -cpu string or a cpu-models.conf section',
  maxBytes: DEFAULT_FORMAT_CAP,
};

export function loadModelInput(pathOrString: string): { cpu: string; source: string } {
  const looksLikePath = pathOrString.includes('/') || pathOrString.endsWith('.json');
  if (existsSync(pathOrString) && statSync(pathOrString).isFile()) {
    const text = readInputText(pathOrString, MODEL_INPUT);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new InputError(
        pathOrString,
        `not JSON (${(e as Error).message}); expected the output of "migratable baseline --format json"`,
      );
    }
    const cpu = (data as { cpu?: unknown } | null)?.cpu;
    if (typeof cpu !== 'string' || !cpu.trim())
      throw new InputError(
        pathOrString,
        'has no "cpu" string; expected the output of "migratable baseline --format json"',
      );
    qmpModelOf(cpu);
    return { cpu: cpu.trim(), source: pathOrString };
  }
  if (looksLikePath) throw new InputError(pathOrString, 'no such file');
  qmpModelOf(pathOrString);
  return { cpu: pathOrString.trim(), source: 'argument' };
}

/** The -cpu string the guest boots with: the model and its props, checking replaced by enforce. */
export function enforcedCpu(cpu: string): string {
  const { model, options } = splitCpuArg(cpu);
  const kept = options.filter((o) => !CHECK_OPTIONS.has(o.key)).map((o) => o.token);
  return [model, ...kept, 'enforce'].join(',');
}

/** Whether a guest running `kernel` can show QEMU feature `name` in /proc/cpuinfo at all. */
export function visibleInCpuinfo(name: string, kernel: string): boolean {
  const feature = resolveFeature(name);
  if (!feature?.linux) return false;
  if (linuxFlag(feature.linux)?.kind !== 'cpuid') return false;
  // some releases hide names older ones printed (the catalog keeps the old name so old dumps parse)
  return linuxPrints(feature.linux, kernel);
}

/** Why Linux shows feature `name` on this guest by itself (LinuxFlag.setByKernel), or null. */
function setByKernel(name: string, guest: GuestReport): string | null {
  const linux = resolveFeature(name)?.linux;
  const rule = linux ? linuxFlag(linux)?.setByKernel : undefined;
  if (!rule || (rule.vendors && !rule.vendors.includes(guest.vendor ?? ''))) return null;
  return rule.anyOf.some((f) => guest.flags.includes(f)) ? rule.why : null;
}

export interface Comparison {
  /** Promised, could be shown, not shown: the guest kernel does not see (or use) it */
  absent: string[];
  /** Shown by the guest (as QEMU names), not promised */
  extra: string[];
  /** Promised, but /proc/cpuinfo never shows it (kvm-* leaves, MSR bits, hidden bits) */
  notVisible: string[];
  /** Shown but not promised, because Linux derives it itself: feature -> why */
  kernelImplied: Record<string, string>;
  /** Guest flags that are CPUID bits QEMU has no name for, or that the catalog does not know */
  unmapped: string[];
}

/** Compares the promised features (canonical QEMU names) with the guest's /proc/cpuinfo view. */
export function compareWithGuest(promised: readonly string[], guest: GuestReport): Comparison {
  const seen = new Set<string>();
  const unmapped: string[] = [];
  for (const flag of guest.flags) {
    const lf = linuxFlag(flag);
    if (!lf) unmapped.push(flag);
    else if (lf.kind === 'unknown-bit') unmapped.push(flag);
    else if (lf.kind === 'cpuid' && lf.feature) seen.add(resolveFeature(lf.feature)?.name ?? lf.feature);
    // synthetic flags (rep_good, constant_tsc, Linux's own ibrs/ssbd...) are no CPUID bit: not part of the promise
  }
  const promise = new Set(promised.map((p) => resolveFeature(p)?.name ?? p));
  const absent: string[] = [];
  const notVisible: string[] = [];
  for (const p of promise) {
    if (!visibleInCpuinfo(p, guest.kernel)) notVisible.push(p);
    else if (!seen.has(p)) absent.push(p);
  }
  const extra: string[] = [];
  const kernelImplied: Record<string, string> = {};
  for (const s of seen) {
    if (promise.has(s)) continue;
    const implied = setByKernel(s, guest);
    if (implied) kernelImplied[s] = implied;
    else extra.push(s);
  }
  return {
    absent: absent.sort(),
    extra: extra.sort(),
    notVisible: notVisible.sort(),
    kernelImplied,
    unmapped: unmapped.sort(),
  };
}

export type Outcome = 'match' | 'mismatch' | 'refused' | 'failed' | 'timeout' | 'unrun';

export interface VerifyReport {
  /** The machine it booted on: this one, or the node's name */
  host: string | null;
  /** The -cpu string as given, and as booted (with enforce) */
  cpu: string;
  bootedCpu: string;
  /** The QEMU command line that booted the guest (its temp paths are gone by now) */
  qemuArgv: string[];
  model: string;
  props: Record<string, PropValue>;
  accel: Accel | null;
  qemu: { binary: string | null; version: string | null };
  kernelImage: string | null;
  outcome: Outcome;
  /** Did QEMU start the guest (false when it refused the model or failed before booting)? */
  started: boolean;
  /** QEMU's own missing-feature lines, verbatim, when it refused the model under enforce */
  refusal: { lines: string[]; summary: string; features: string[] } | null;
  /** One line on why the boot failed, timed out or could not run */
  failure: string | null;
  /** The boot's phases with their times (firmware, kernel, init); [] when QEMU never booted */
  phases: PhaseTiming[];
  /** The phase a boot that was killed was stuck in */
  stuckIn: PhaseName | null;
  /** What to do about a slow or stuck boot (e.g. --accel tcg when this KVM cannot run the guest) */
  advice: string[];
  /** The last lines of the guest console, when something went wrong */
  consoleTail: string[];
  /** Canonical QEMU features of the static expansion, under the same accelerator */
  promised: string[];
  promisedVendor: string | null;
  promisedModelId: string | null;
  comparison: Comparison | null;
  guest: {
    kernel: string;
    vendor: string | null;
    modelName: string | null;
    flags: string[];
    vulnerabilities: Record<string, string>;
  } | null;
  /** Vendor / model name differences between promise and guest */
  identityMismatches: string[];
  notes: string[];
  durationMs: number;
  bootMs: number | null;
}

export interface VerifyOptions {
  /** A -cpu string, e.g. "Westmere,-aes" (enforce/check are ignored: the boot always uses enforce) */
  cpu: string;
  /** Default: kvm when /dev/kvm is usable, else tcg */
  accel?: Accel;
  /** Guest kernel image; default the newest /boot/vmlinuz-* */
  kernel?: string;
  /** Kills the guest after this long; default 90 s under TCG, 60 s under KVM */
  timeoutMs?: number;
  /** Per-phase limits (default: a third of the total for firmware and init, two thirds for the kernel) */
  phaseTimeoutMs?: Partial<Record<PhaseName, number>>;
  busybox?: string;
  qemuBinary?: string;
  /**
   * Boot somewhere else (a node over SSH): the runner gets the boot script. Then accel, kernel and
   * QEMU default to what that machine has, and its problems become the verdict instead of errors.
   */
  remote?: { run: ScriptRunner };
}

const DEFAULT_TIMEOUT_MS = { kvm: 60_000, tcg: 90_000 };

/** The promise from the script's QMP lines: version and the static expansion, or QEMU's error. */
function promiseFromQmp(lines: string[]) {
  const replies = new Map<string, Record<string, unknown>>();
  for (const line of lines) {
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg && typeof msg.id === 'string') replies.set(msg.id, msg);
    } catch {
      // a line cut off by timeout(1): the missing reply says it
    }
  }
  const v = (replies.get('version')?.return as { qemu?: Record<string, number> } | undefined)?.qemu;
  const version = v ? `${v.major}.${v.minor}.${v.micro}` : null;
  const reply = replies.get('promise');
  const err = reply?.error as { desc?: string } | undefined;
  if (!reply || err) return { version, error: err?.desc ?? 'QEMU gave no answer to query-cpu-model-expansion' };
  const expansion = (reply.return as { model?: CpuModelInfo } | undefined)?.model ?? { name: '', props: {} };
  const props = expansion.props ?? {};
  return {
    version,
    error: null,
    promised: enabledProps(expansion),
    vendor: typeof props.vendor === 'string' ? props.vendor : null,
    modelId: typeof props['model-id'] === 'string' ? props['model-id'] : null,
  };
}

function tail(text: string, n: number): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/\r/g, '').trimEnd())
    .filter(Boolean)
    .slice(-n);
}

const secs = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

function failureLine(result: BootResult): string | null {
  const b = result.bundle;
  if (result.status === 'unrun') return result.unrunReason;
  if (result.status === 'timeout' && b.stuck) {
    const phase = b.phases.find((p) => p.name === b.stuck!.phase);
    if (b.stuck.total) return `the guest did not power off within ${secs(b.elapsedMs ?? 0)}; QEMU was killed`;
    return `stuck in the ${b.stuck.phase} phase: ${secs(phase?.limitMs ?? 0)} passed without it ending; QEMU was killed`;
  }
  if (result.status === 'failed')
    return tail(result.stderr, 1)[0] ?? `QEMU exited with status ${result.exitCode} and no message`;
  return null;
}

/** The accelerator asked for, else KVM when /dev/kvm works, else TCG (with a note saying so). */
function chooseAccel(asked: Accel | undefined, notes: string[]): Accel {
  if (asked === 'kvm' && !kvmUsable())
    throw new Error(
      'KVM was asked for but /dev/kvm is not usable by this user (use --accel tcg, or join the kvm group)',
    );
  if (asked) return asked;
  if (kvmUsable()) return 'kvm';
  notes.push(
    '/dev/kvm is not usable here: booted under TCG, which cannot provide some features real CPUs have (QEMU names them below if the model needs them)',
  );
  return 'tcg';
}

type Promise_ = Exclude<ReturnType<typeof promiseFromQmp>, { error: string }>;

/** What the guest saw against the promise: features, then vendor and model name. */
function judgeGuest(promise: Promise_, guest: GuestReport, notes: string[]) {
  const comparison = compareWithGuest(promise.promised, guest);
  const identityMismatches: string[] = [];
  if (promise.vendor && guest.vendor !== promise.vendor)
    identityMismatches.push(`vendor: promised ${promise.vendor}, guest sees ${guest.vendor}`);
  if (promise.modelId && guest.modelName !== promise.modelId.trim())
    identityMismatches.push(`model name: promised "${promise.modelId.trim()}", guest sees "${guest.modelName}"`);
  const exact = !comparison.absent.length && !comparison.extra.length && !identityMismatches.length;
  if (comparison.unmapped.length)
    notes.push(`guest flags the catalog cannot map to QEMU names (not compared): ${comparison.unmapped.join(' ')}`);
  return { comparison, identityMismatches, outcome: (exact ? 'match' : 'mismatch') as Outcome };
}

export async function verifyModel(options: VerifyOptions): Promise<VerifyReport> {
  const t0 = Date.now();
  const notes: string[] = [];
  const parsed = qmpModelOf(options.cpu);
  const local = !options.remote;
  let accel: Accel | 'auto' = options.accel ?? 'auto';
  let binary = options.qemuBinary;
  let kernelImage = options.kernel;
  if (local) {
    binary ??= findQemu() ?? undefined;
    if (!binary)
      throw new Error('no QEMU found: install qemu-system-x86 (looked for qemu-system-x86_64 and kvm on PATH)');
    accel = chooseAccel(options.accel, notes);
    kernelImage = findKernel(options.kernel);
  }
  const busybox = findBusybox(options.busybox);
  const timeoutMs = options.timeoutMs ? { kvm: options.timeoutMs, tcg: options.timeoutMs } : DEFAULT_TIMEOUT_MS;
  const bootedCpu = enforcedCpu(options.cpu);
  const result = await boot({
    cpu: bootedCpu,
    qmpModel: { name: parsed.name, props: parsed.props },
    accel,
    kernel: kernelImage,
    initrd: buildInitramfs(readFileSync(busybox)),
    timeoutMs,
    phaseTimeoutMs: options.phaseTimeoutMs,
    binary,
    run: options.remote?.run,
  });
  const b = result.bundle;
  const promise = b.qmpLines.length || b.argv.length ? promiseFromQmp(b.qmpLines) : null;
  // Locally a model QEMU does not know is the user's mistake; on a node it is that node's verdict
  if (local && promise?.error && /not found/i.test(promise.error)) throw new InputError('MODEL', promise.error);
  const usedAccel = b.accel ?? (accel === 'auto' ? null : accel);
  if (!local && usedAccel === 'tcg' && options.accel !== 'tcg')
    notes.push('/dev/kvm is not usable there: booted under TCG, which cannot provide some features real CPUs have');

  const refusal = result.status === 'refused' ? parseRefusal(result.stderr) : null;
  if (refusal && usedAccel === 'tcg')
    notes.push(
      `TCG cannot provide: ${refusal.features.join(', ')}; on KVM hosts whose CPUs have them the model may be fine`,
    );
  let outcome: Outcome =
    result.status === 'refused'
      ? 'refused'
      : result.status === 'timeout'
        ? 'timeout'
        : result.status === 'unrun'
          ? 'unrun'
          : 'failed';
  let failure = failureLine(result);
  if (promise?.error && result.status !== 'refused') {
    outcome = result.status === 'unrun' ? 'unrun' : 'failed';
    failure ??= `QEMU there: ${promise.error}`;
  }
  let guestReport: GuestReport | null = null;
  if (result.status === 'exited' && !promise?.error) {
    try {
      guestReport = parseGuestReport(result.report) ?? parseGuestReport(result.console);
      if (!guestReport) failure = 'the guest stopped without printing its report (see the console lines)';
    } catch (e) {
      failure = (e as Error).message;
    }
  }
  let comparison: Comparison | null = null;
  let identityMismatches: string[] = [];
  if (guestReport && promise && !promise.error)
    ({ comparison, identityMismatches, outcome } = judgeGuest(promise as Promise_, guestReport, notes));
  const wentWrong = outcome === 'failed' || outcome === 'timeout';
  const stuckIn = b.stuck && b.stuck.phase !== 'done' ? b.stuck.phase : null;
  return {
    host: b.host,
    cpu: options.cpu,
    bootedCpu,
    qemuArgv: result.argv,
    model: parsed.name,
    props: parsed.props,
    accel: usedAccel,
    qemu: { binary: b.qemu ?? binary ?? null, version: promise?.version ?? null },
    kernelImage: b.kernel ?? kernelImage ?? null,
    outcome,
    started:
      result.status === 'exited' || result.status === 'timeout' || (result.status === 'failed' && !!result.console),
    refusal,
    failure,
    phases: b.phases,
    stuckIn,
    advice: wentWrong ? phaseAdvice(b, usedAccel, local ? 'here' : 'there') : [],
    consoleTail: wentWrong ? tail(result.console, 15) : [],
    promised: promise && !promise.error ? (promise as Promise_).promised : [],
    promisedVendor: promise && !promise.error ? (promise as Promise_).vendor : null,
    promisedModelId: promise && !promise.error ? (promise as Promise_).modelId : null,
    comparison,
    guest: guestReport && {
      kernel: guestReport.kernel,
      vendor: guestReport.vendor,
      modelName: guestReport.modelName,
      flags: guestReport.flags,
      vulnerabilities: guestReport.vulnerabilities,
    },
    identityMismatches,
    notes,
    durationMs: Date.now() - t0,
    bootMs: result.status === 'unrun' ? null : result.durationMs,
  };
}
