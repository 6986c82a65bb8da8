import { spawn } from 'node:child_process';

/** How a child process ended: never throws, so callers can turn every outcome into one line. */
export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  /** Exit code, or null when killed by a signal or never started */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the process could not be started at all (e.g. ENOENT) */
  spawnError: string | null;
  /** Set when stdout passed maxOutputBytes and the process was killed */
  outputOverflow: boolean;
  ms: number;
}

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  input: string;
  /** Overall bound: the child gets SIGTERM, then SIGKILL one second later. */
  timeoutMs: number;
  /** Guards memory against a host that streams garbage forever. */
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
const EXIT_GRACE_MS = 2000;

/**
 * Runs `command` with an argv array (no shell ever parses it), feeding `input` on stdin and
 * collecting stdout/stderr, bounded in time and size.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<ProcessOutcome> {
  const started = performance.now();
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let outputOverflow = false;
    let spawnError: string | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let exitTimer: NodeJS.Timeout | undefined;
    let armGrace = () => {};

    // Its own process group, so ssh and whatever it started (ProxyCommand, ControlPersist master)
    // can be ended together: otherwise a grandchild holding a pipe keeps this process alive
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      detached: true,
    });
    const group = child.pid ? trackGroup(child.pid) : null;

    const stop = () => {
      group?.signal('SIGTERM');
      // ssh normally dies on SIGTERM at once; SIGKILL covers anything that does not
      killTimer = setTimeout(() => group?.signal('SIGKILL'), 1000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);

    child.stdout.on('data', (d: Buffer) => {
      armGrace();
      outBytes += d.length;
      if (outBytes > maxOutput) {
        if (!outputOverflow) {
          outputOverflow = true;
          stop();
        }
        return;
      }
      out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      armGrace();
      // Keep only the tail: the useful line (the reason) is the last one.
      errBytes += d.length;
      err.push(d);
      while (errBytes > 65536 && err.length > 1) errBytes -= err.shift()!.length;
    });
    // The child may exit before reading all input (e.g. ssh failing to connect): not an error here.
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      spawnError = e.message;
    });
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (exitTimer) clearTimeout(exitTimer);
      // Whatever of the group is left has nothing more to tell us
      group?.signal('SIGKILL');
      group?.forget();
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream.destroy();
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: spawnError ? null : code,
        signal,
        timedOut,
        spawnError,
        outputOverflow,
        ms: Math.round(performance.now() - started),
      });
    };
    child.on('close', finish);
    // A grandchild (a ControlPersist master, a ProxyCommand) can keep the pipes open after
    // the child exited, so 'close' may never come: after exit, give up once the pipes have
    // been quiet for EXIT_GRACE_MS. The final step goes through setImmediate so that, when the
    // event loop was starved, output already waiting in the pipes is read first.
    let exitInfo: [number | null, NodeJS.Signals | null] | null = null;
    let graceImmediate: NodeJS.Immediate | undefined;
    armGrace = () => {
      if (!exitInfo || done) return;
      clearTimeout(exitTimer);
      clearImmediate(graceImmediate);
      exitTimer = setTimeout(() => {
        graceImmediate = setImmediate(() => finish(...exitInfo!));
      }, EXIT_GRACE_MS);
    };
    child.on('exit', (code, signal) => {
      exitInfo = [code, signal];
      armGrace();
    });
    child.stdin.end(options.input);
  });
}

/** Live process groups; ended if we are interrupted, since detached groups do not get the terminal's Ctrl-C. */
const liveGroups = new Set<number>();
let handlersInstalled = false;

function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* already gone */
  }
}

function trackGroup(pgid: number): { signal(sig: NodeJS.Signals): void; forget(): void } {
  liveGroups.add(pgid);
  if (!handlersInstalled) {
    handlersInstalled = true;
    process.on('exit', () => liveGroups.forEach((g) => killGroup(g, 'SIGKILL')));
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
      process.once(sig, () => {
        liveGroups.forEach((g) => killGroup(g, 'SIGKILL'));
        process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
      });
  }
  return { signal: (sig) => killGroup(pgid, sig), forget: () => liveGroups.delete(pgid) };
}
