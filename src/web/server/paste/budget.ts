/**
 * How fast pastes are read, all clients together. After a quiet spell a full-size paste is read at
 * once; pastes that follow are read at PASTE_BYTES_PER_SECOND. A paste over the budget is not read
 * on: TCP holds its sender until there is room. So what pastes cost the machine (reading, the
 * worker's parse, and the sender's own work when it runs here) stays bounded however fast a client
 * posts them, and the other clients keep their share of the CPU.
 */
import { MAX_BODY_BYTES } from '../body-caps.js';

/** One full-size paste a second: a person pasting, or a script posting hosts one by one, never waits. */
export const PASTE_BYTES_PER_SECOND = MAX_BODY_BYTES;

export class ByteBudget {
  private available: number;
  private updated: number;

  constructor(
    private readonly perSecond = PASTE_BYTES_PER_SECOND,
    private readonly burst = MAX_BODY_BYTES,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.available = burst;
    this.updated = now();
  }

  /**
   * Counts `bytes` as read; returns how many milliseconds to wait before reading more (0 within the
   * budget). Readers that overspend queue up: each waits until the budget has caught up with it.
   */
  spend(bytes: number): number {
    this.refill();
    this.available -= bytes;
    return this.waitMs();
  }

  /** As spend, but only if the wait stays within `maxWaitMs`; otherwise spends nothing and returns null. */
  reserve(bytes: number, maxWaitMs: number): number | null {
    this.refill();
    this.available -= bytes;
    if (this.waitMs() <= maxWaitMs) return this.waitMs();
    this.available += bytes;
    return null;
  }

  private refill(): void {
    const t = this.now();
    this.available = Math.min(this.burst, this.available + ((t - this.updated) * this.perSecond) / 1000);
    this.updated = t;
  }

  private waitMs(): number {
    return this.available >= 0 ? 0 : (-this.available * 1000) / this.perSecond;
  }
}
