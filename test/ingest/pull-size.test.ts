// The pull sizer (ingest/pull-size.ts): pulls move away from filling just as they expire.
import { describe, expect, it } from 'vitest';
import { MIN_PULL_SIZE, PullSizer } from '../../ingest/pull-size.js';

const EXPIRES = 2000;

/** Steady arrivals at `rate` per second: what a pull of `size` brings and how long it lasts. */
function pull(size: number, rate: number): [number, number] {
  const fillMs = (size / rate) * 1000;
  return fillMs <= EXPIRES ? [size, fillMs] : [Math.floor((rate * EXPIRES) / 1000), EXPIRES];
}

function settle(sizer: PullSizer, rate: number, pulls = 50): number[] {
  const sizes: number[] = [];
  for (let i = 0; i < pulls; i++) {
    sizes.push(sizer.size);
    sizer.record(...pull(sizer.size, rate));
  }
  return sizes;
}

describe('PullSizer', () => {
  it('starts at the configured size and keeps it when pulls fill fast or expire well short of full', () => {
    expect(new PullSizer(1000, EXPIRES).size).toBe(1000);
    expect(new Set(settle(new PullSizer(1000, EXPIRES), 50_000))).toEqual(new Set([1000])); // fills in 20 ms
    expect(new Set(settle(new PullSizer(1000, EXPIRES), 300))).toEqual(new Set([1000])); // expires with 600
  });

  it('leaves the edge where a pull fills just as it expires, and stays away from it', () => {
    for (const rate of [400, 500, 520]) {
      const sizer = new PullSizer(1000, EXPIRES);
      const sizes = settle(sizer, rate);
      const [received, ms] = pull(sizer.size, rate);
      // Settled: either full within half the expiry, or expired well short of full.
      expect(received >= sizer.size * 0.75 && ms > EXPIRES / 2, `rate ${rate}: size ${sizer.size}`).toBe(false);
      expect(new Set(sizes.slice(-10)).size, `rate ${rate} settles`).toBe(1);
    }
  });

  it('grows back to the configured size when the stream goes quiet, and never past it', () => {
    const sizer = new PullSizer(1000, EXPIRES);
    settle(sizer, 500);
    expect(sizer.size).toBeLessThan(1000);
    settle(sizer, 0, 10);
    expect(sizer.size).toBe(1000);
  });

  it('never goes under the minimum, nor over the configured size', () => {
    const sizer = new PullSizer(1000, EXPIRES);
    for (let i = 0; i < 100; i++) sizer.record(sizer.size, EXPIRES);
    expect(sizer.size).toBe(MIN_PULL_SIZE);
    expect(new PullSizer(8, EXPIRES).size).toBe(8);
  });
});
