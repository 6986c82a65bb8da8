/** The paste budget (src/web/server/paste/budget.ts) on a clock the test moves. */
import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../src/web/server/paste/budget.js';

const MB = 1 << 20;

function budget(perSecond = 8 * MB, burst = 8 * MB) {
  const clock = { t: 0 };
  return { clock, b: new ByteBudget(perSecond, burst, () => clock.t) };
}

describe('ByteBudget', () => {
  it('a full-size paste after a quiet spell is read at once; the next waits for the budget', () => {
    const { b } = budget();
    expect(b.spend(8 * MB)).toBe(0);
    expect(b.spend(4 * MB)).toBe(500);
  });

  it('refills at its rate, never beyond the burst', () => {
    const { clock, b } = budget();
    b.spend(8 * MB);
    clock.t = 250;
    expect(b.spend(2 * MB)).toBe(0);
    clock.t = 60_000; // a long quiet spell still leaves one burst, not a minute's worth
    expect(b.spend(8 * MB)).toBe(0);
    expect(b.spend(1 * MB)).toBe(125);
  });

  it('readers that overspend queue up: each waits for the budget to catch up with it', () => {
    const { b } = budget();
    b.spend(8 * MB);
    expect([b.spend(8 * MB), b.spend(8 * MB), b.spend(8 * MB)]).toEqual([1000, 2000, 3000]);
  });

  it('reserve spends only when the wait stays within the limit', () => {
    const { clock, b } = budget();
    expect(b.reserve(8 * MB, 5000)).toBe(0);
    expect(b.reserve(8 * MB, 5000)).toBe(1000);
    expect(b.reserve(40 * MB, 5000)).toBeNull(); // would wait 6 s: nothing spent
    expect(b.reserve(8 * MB, 5000)).toBe(2000);
    clock.t = 2000;
    expect(b.spend(0)).toBe(0);
  });
});
