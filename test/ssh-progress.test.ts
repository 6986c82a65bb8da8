import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createScanProgress } from '../src/fleet/ssh/progress.js';
import { parseTarget } from '../src/fleet/ssh/targets.js';

/** A stream that records writes; `tty` decides whether it claims to be a terminal. */
function sink(tty: boolean): Writable & { text: string; isTTY?: boolean; columns?: number } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string; isTTY?: boolean; columns?: number };
  s.text = '';
  if (tty) {
    s.isTTY = true;
    s.columns = 120;
  }
  return s;
}

const event = (done: number, ok: boolean) => ({
  done,
  total: 2,
  failedSoFar: ok ? 0 : 1,
  target: parseTarget(`pve${done}`),
  ok,
  ms: 5,
});

describe('createScanProgress', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const out = sink(false);
    const p = createScanProgress(2, out as unknown as NodeJS.WriteStream);
    p.onProgress(event(1, true));
    p.stop();
    expect(out.text).toBe('');
  });

  it('draws a bar with counts and the last host on a terminal', () => {
    const out = sink(true);
    const p = createScanProgress(2, out as unknown as NodeJS.WriteStream);
    p.onProgress(event(1, true));
    p.onProgress(event(2, false));
    p.stop();
    expect(out.text).toContain('2/2 hosts | 1 failed | pve2 FAILED');
  });
});
