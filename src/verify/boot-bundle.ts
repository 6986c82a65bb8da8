/** Reads what the boot script (boot-script.ts) printed: setup, QMP promise, phases, QEMU's result and logs. */
import { BOOT_FORMAT_VERSION, PHASES, type PhaseName } from './boot-script.js';

export interface PhaseTiming {
  name: PhaseName;
  /** Milliseconds after QEMU started; null when the phase never began */
  startMs: number | null;
  /** null when it never ended (the boot stopped in it) */
  endMs: number | null;
  limitMs: number;
}

export interface BootBundle {
  host: string | null;
  /** Why the boot could not even be tried there (no QEMU, no kernel, no /dev/kvm when asked ...) */
  error: string | null;
  qemu: string | null;
  accel: 'kvm' | 'tcg' | null;
  kernel: string | null;
  /** The private directory there (removed by the script before it ends) */
  dir: string | null;
  kvmModules: string[];
  hypervisorFlag: boolean;
  /** Raw QMP reply lines of the promise query */
  qmpLines: string[];
  qmpStderr: string;
  argv: string[];
  phases: PhaseTiming[];
  /** The phase the boot was in when it ended: done when /init finished its report */
  reached: PhaseName | 'done' | null;
  /** Set when the script killed QEMU: the phase over its limit, or "total" when the whole boot was */
  stuck: { phase: PhaseName | 'done'; total: boolean } | null;
  /** ms after QEMU started when the kernel printed its first message ("Linux version") */
  firstKernelMessageMs: number | null;
  elapsedMs: number | null;
  exitCode: number | null;
  stderr: string;
  console: string;
  report: string;
  /** The final "#end" was seen: a bundle without it was cut off (connection dropped) */
  complete: boolean;
}

const HEADER = /^#migratable-boot (\d+)\s*$/m;

/** Parses the script's output; never throws (a cut-off or foreign text yields error/complete fields). */
export function parseBootBundle(text: string): BootBundle {
  const b: BootBundle = {
    host: null,
    error: null,
    qemu: null,
    accel: null,
    kernel: null,
    dir: null,
    kvmModules: [],
    hypervisorFlag: false,
    qmpLines: [],
    qmpStderr: '',
    argv: [],
    phases: [],
    reached: null,
    stuck: null,
    firstKernelMessageMs: null,
    elapsedMs: null,
    exitCode: null,
    stderr: '',
    console: '',
    report: '',
    complete: false,
  };
  const header = HEADER.exec(text.slice(0, 8192));
  if (!header) {
    b.error = 'the node did not answer with a boot report';
    return b;
  }
  if (Number(header[1]) > BOOT_FORMAT_VERSION) {
    b.error = `boot report format ${header[1]} is newer than this migratable understands`;
    return b;
  }
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const raw of text.slice(header.index + header[0].length).split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '#end') {
      b.complete = true;
      break;
    }
    if (line.startsWith('#section ')) {
      current = [];
      sections.set(line.slice(9).trim(), current);
    } else current?.push(line);
  }
  const plain = (name: string) => (sections.get(name) ?? []).filter((l) => l.trim());
  // "|"-quoted free text back to its lines
  const quoted = (name: string) =>
    (sections.get(name) ?? [])
      .filter((l) => l.startsWith('|'))
      .map((l) => l.slice(1))
      .join('\n');
  const field = (lines: string[], key: string) => {
    const l = lines.find((x) => x.startsWith(`${key} `));
    return l === undefined ? null : l.slice(key.length + 1);
  };

  b.host = plain('host')[0]?.trim() ?? null;
  const error = plain('error');
  if (error.length) b.error = error.join(' ').trim();
  const setup = plain('setup');
  b.qemu = field(setup, 'qemu');
  const accel = field(setup, 'accel');
  b.accel = accel === 'kvm' || accel === 'tcg' ? accel : null;
  b.kernel = field(setup, 'kernel');
  b.dir = field(setup, 'dir');
  b.kvmModules = setup.filter((l) => l.startsWith('kvm-module ')).map((l) => l.slice(11));
  b.hypervisorFlag = setup.includes('hypervisor-flag yes');
  const limits = (field(setup, 'limits') ?? '').split(' ').map(Number);
  b.qmpLines = plain('qmp');
  b.qmpStderr = quoted('qmp-stderr');
  b.argv = quoted('argv').split('\n').filter(Boolean);

  const phaseLines = plain('phases');
  const ended = new Map<string, [number, number]>();
  for (const l of phaseLines) {
    const m = /^(firmware|kernel|init):(\d+):(\d+)\+?$/.exec(l.trim());
    if (m) ended.set(m[1], [Number(m[2]), Number(m[3])]);
  }
  const reached = field(phaseLines, 'reached');
  b.reached =
    reached === 'done' || (PHASES as readonly string[]).includes(reached ?? '') ? (reached as PhaseName) : null;
  const stuck = field(phaseLines, 'stuck');
  if (stuck) {
    const total = stuck.startsWith('total:');
    const phase = total ? stuck.slice(6) : stuck;
    b.stuck = { phase: phase as PhaseName | 'done', total };
  }
  const num = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
  b.firstKernelMessageMs = num(field(phaseLines, 'first-kernel-message'));
  b.elapsedMs = num(field(phaseLines, 'elapsed'));
  if (phaseLines.length || b.reached)
    b.phases = PHASES.map((name, i) => {
      const e = ended.get(name);
      const prevEnd = i === 0 ? 0 : (ended.get(PHASES[i - 1])?.[1] ?? null);
      return {
        name,
        startMs: e ? e[0] : b.reached === name ? prevEnd : null,
        endMs: e ? e[1] : null,
        limitMs: Number.isFinite(limits[i]) ? limits[i] : 0,
      };
    });
  b.exitCode = num(field(plain('result'), 'exit'));
  b.stderr = quoted('stderr');
  b.console = quoted('console');
  b.report = quoted('report');
  return b;
}
