/**
 * Who holds a lock: pid, host, boot id and the process's start time, written into the lock as one
 * line, so that a lock whose owner is gone is known at once. A pid alone is not enough: after a
 * reboot, or once pids wrap, another process can carry the same number. Linux's
 * /proc/PID/stat field 22 (starttime, clock ticks since boot, proc(5)) and
 * /proc/sys/kernel/random/boot_id tell the holder apart from a later process with its pid.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id of the holder's boot; null where unknown (not Linux, old lock) */
  boot: string | null;
  /** The holder's start time in clock ticks since boot; null where unknown */
  start: string | null;
}

export type OwnerState = 'alive' | 'dead' | 'unknown';

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

const bootId = () => readOr('/proc/sys/kernel/random/boot_id');

/** Field 22 of /proc/PID/stat; the command name (field 2) may hold spaces and ')', so count from its end. */
export function processStartTime(pid: number): string | null {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null; // fields[0] is field 3
}

export function currentOwner(): LockOwner {
  return { pid: process.pid, host: hostname(), boot: bootId(), start: processStartTime(process.pid) };
}

/** One line: `pid=123 host=pve1 boot=... start=...` (host names hold no spaces). */
export function formatOwner(o: LockOwner): string {
  return `pid=${o.pid} host=${o.host} boot=${o.boot ?? '-'} start=${o.start ?? '-'}\n`;
}

/** The owner a lock names, or null when it names none (empty, cut off, not ours). Reads `pid@host` too (older locks). */
export function parseOwner(text: string): LockOwner | null {
  const old = /^(\d{1,10})@(\S+)\n?$/.exec(text);
  const m = old ? null : /^pid=(\d{1,10}) host=(\S+) boot=(\S+) start=(\S+)\n$/.exec(text);
  const pid = Number((old ?? m)?.[1]);
  // pid 0 or a negative one would make kill() signal a whole process group
  if (!(pid >= 1 && pid <= 0x7fffffff)) return null;
  if (old) return { pid, host: old[2], boot: null, start: null };
  const opt = (v: string) => (v === '-' ? null : v);
  return { pid, host: m![2], boot: opt(m![3]), start: opt(m![4]) };
}

/** Whether the owner still runs. Another machine's processes cannot be asked: 'unknown'. */
export function ownerState(o: LockOwner): OwnerState {
  if (o.host !== hostname()) return 'unknown';
  const boot = bootId();
  if (o.boot && boot && o.boot !== boot) return 'dead'; // taken before this machine rebooted
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  // The pid runs, but is it the holder or a later process given the same number?
  if (o.start) {
    const start = processStartTime(o.pid);
    if (start && start !== o.start) return 'dead';
  }
  return 'alive';
}
