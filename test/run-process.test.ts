import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../src/process/run-process.js';

describe('runProcess', () => {
  it('feeds stdin and collects both outputs and the exit code', async () => {
    const r = await runProcess('/bin/sh', ['-c', 'tr a-z A-Z; echo oops >&2; exit 3'], {
      input: 'hello\n',
      timeoutMs: 10_000,
    });
    expect(r).toMatchObject({
      stdout: 'HELLO\n',
      stderr: 'oops\n',
      code: 3,
      signal: null,
      timedOut: false,
      spawnError: null,
      outputOverflow: false,
    });
  });

  it('kills a child that runs past its time', async () => {
    const r = await runProcess('/bin/sh', ['-c', 'exec sleep 30'], { input: '', timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(r.ms).toBeLessThan(3_000);
  });

  it('reports a missing program instead of throwing', async () => {
    const r = await runProcess('/nonexistent/ssh', [], { input: 'x', timeoutMs: 1_000 });
    expect(r.code).toBeNull();
    expect(r.spawnError).toMatch(/ENOENT/);
  });

  it('stops a child that floods stdout', async () => {
    const r = await runProcess('/bin/sh', ['-c', 'exec cat /dev/zero'], {
      input: '',
      timeoutMs: 10_000,
      maxOutputBytes: 100_000,
    });
    expect(r.outputOverflow).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(100_000);
  });

  it('does not wait for a grandchild that keeps the pipes open, and keeps all output', async () => {
    // Like an ssh ControlPersist master: the child exits, a background process holds stdout.
    const script = 'sleep 20 & echo "$!"; head -c 60000 /dev/zero | tr "\\0" x; echo; exit 0';
    const r = await runProcess('/bin/sh', ['-c', script], { input: '', timeoutMs: 30_000 });
    const [pid, data] = r.stdout.split('\n');
    // the grandchild was in the child's process group and was ended with it, so scan can exit
    await new Promise((done) => setTimeout(done, 200));
    const state = (() => {
      try {
        return /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      } catch {
        return 'gone';
      }
    })();
    expect(['gone', 'Z']).toContain(state); // a zombie waits for a reaper that may not be there
    expect(r.code).toBe(0);
    expect(data).toBe('x'.repeat(60_000));
    expect(r.ms).toBeLessThan(8_000);
    expect(r.timedOut).toBe(false);
  });
});
