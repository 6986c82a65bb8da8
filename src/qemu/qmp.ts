import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { qmpVersionString } from '../version.js';
import { findQemu } from './binary.js';

export type Accel = 'kvm' | 'tcg';

export interface QmpOptions {
  accel: Accel;
  binary?: string;
  /** Kills QEMU when a single command takes longer than this. */
  timeoutMs?: number;
}

export class QmpError extends Error {
  constructor(
    message: string,
    readonly errorClass?: string,
  ) {
    super(message);
    this.name = 'QmpError';
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * A QMP session with a CPU-less QEMU (`-machine none`): enough for
 * query-cpu-definitions and query-cpu-model-expansion, and it starts in milliseconds.
 */
export class QmpSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Pending[] = [];
  private greeting: Promise<void>;
  private stderr = '';
  private exited = false;
  readonly binary: string;

  private constructor(options: QmpOptions) {
    const binary = options.binary ?? findQemu();
    if (!binary)
      throw new QmpError('no QEMU found: install qemu-system-x86 (looked for qemu-system-x86_64 and kvm on PATH)');
    this.binary = binary;
    const args = [
      '-machine',
      `none,accel=${options.accel}`,
      '-nodefaults',
      '-nographic',
      '-display',
      'none',
      '-qmp',
      'stdio',
    ];
    this.child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    let greeted: () => void;
    let failed: (e: Error) => void;
    this.greeting = new Promise<void>((res, rej) => {
      greeted = res;
      failed = rej;
    });
    const lines = createInterface({ input: this.child.stdout });
    lines.on('line', (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if ('QMP' in msg) return greeted();
      if ('event' in msg) return;
      const pending = this.queue.shift();
      if (!pending) return;
      if ('error' in msg) {
        const err = msg.error as { class?: string; desc?: string };
        pending.reject(new QmpError(err.desc ?? 'QMP error', err.class));
      } else pending.resolve(msg.return);
    });
    const onGone = (why: string) => {
      this.exited = true;
      const err = new QmpError(
        `QEMU (${binary}) ${why}${this.stderr ? `: ${this.stderr.trim().split('\n').pop()}` : ''}`,
      );
      failed(err);
      for (const p of this.queue.splice(0)) p.reject(err);
    };
    this.child.on('error', (e) => onGone(`could not start (${e.message})`));
    this.child.on('exit', (code) => onGone(`exited with code ${code}`));
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private readonly timeoutMs: number;

  static async start(options: QmpOptions): Promise<QmpSession> {
    const session = new QmpSession(options);
    await session.withTimeout(session.greeting, 'greeting');
    await session.execute('qmp_capabilities');
    return session;
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.exited) throw new QmpError(`QEMU is not running${this.stderr ? `: ${this.stderr.trim()}` : ''}`);
    const reply = new Promise<unknown>((resolve, reject) => this.queue.push({ resolve, reject }));
    this.child.stdin.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    return (await this.withTimeout(reply, command)) as T;
  }

  private withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new QmpError(`QEMU did not answer ${what} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((res) => this.child.once('exit', () => res()));
    try {
      this.child.stdin.write(JSON.stringify({ execute: 'quit' }) + '\n');
    } catch {
      // already closing
    }
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
}

export interface CpuDefinition {
  name: string;
  typename: string;
  'unavailable-features'?: string[];
  'alias-of'?: string;
  static: boolean;
  'migration-safe'?: boolean;
  deprecated?: boolean;
}

export interface CpuModelInfo {
  name: string;
  props?: Record<string, unknown>;
}

export async function queryCpuDefinitions(s: QmpSession): Promise<CpuDefinition[]> {
  return s.execute<CpuDefinition[]>('query-cpu-definitions');
}

export async function expandCpuModel(
  s: QmpSession,
  type: 'static' | 'full',
  model: CpuModelInfo,
): Promise<CpuModelInfo> {
  const r = await s.execute<{ model: CpuModelInfo }>('query-cpu-model-expansion', { type, model });
  return r.model;
}

/** The names of the boolean props that are on in an expansion, sorted. */
export function enabledProps(model: CpuModelInfo): string[] {
  return Object.entries(model.props ?? {})
    .filter(([, v]) => v === true)
    .map(([k]) => k)
    .sort();
}

export async function qemuVersion(s: QmpSession): Promise<string> {
  const v = await s.execute<{ qemu: { major: number; minor: number; micro: number } }>('query-version');
  return qmpVersionString(v.qemu);
}
