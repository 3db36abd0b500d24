// The client-side limiter: Kore's bot tier allows 60 calls in any rolling minute and 1,800 in any rolling
// hour per bot (facts.md 1.6). A fake clock lets the test run hours of traffic in milliseconds.
import { describe, expect, it } from 'vitest';
import { BOT_TIER_WINDOWS, PerBotThrottle, RollingWindowLimiter, type RateWindow, type ThrottleClock } from '../../src/agentai/throttle.js';

class FakeClock implements ThrottleClock {
  t = 1_000_000;
  slept: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.t += ms;
  }
}

/** The most calls found in any window of `windowMs` ending at one of the stamps. */
function maxInAnyWindow(stamps: readonly number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < stamps.length; hi += 1) {
    while ((stamps[lo] ?? 0) <= (stamps[hi] ?? 0) - windowMs) lo += 1;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

async function run(limiter: RollingWindowLimiter, clock: FakeClock, n: number): Promise<number[]> {
  const stamps: number[] = [];
  // All at once, as a burst of conversations would ask: the limiter serves them in order.
  await Promise.all(
    Array.from({ length: n }, () =>
      limiter.acquire().then(() => {
        stamps.push(clock.now());
      }),
    ),
  );
  return stamps;
}

describe('RollingWindowLimiter', () => {
  it('lets the first `limit` calls through at once, then waits for the oldest to age out', async () => {
    const clock = new FakeClock();
    const limiter = new RollingWindowLimiter([{ limit: 3, windowMs: 1000 }], clock);
    const start = clock.now();
    const stamps = await run(limiter, clock, 7);
    expect(stamps.map((s) => s - start)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it('is rolling, not a fixed window: spaced calls free their slots one by one', async () => {
    const clock = new FakeClock();
    const limiter = new RollingWindowLimiter([{ limit: 2, windowMs: 1000 }], clock);
    const start = clock.now();
    await limiter.acquire(); // t=0
    clock.t += 600;
    await limiter.acquire(); // t=600
    await limiter.acquire(); // must wait until the t=0 call is 1000 old
    expect(clock.now() - start).toBe(1000);
    await limiter.acquire(); // and this one until the t=600 call is
    expect(clock.now() - start).toBe(1600);
  });

  it('respects both windows at once (short and long)', async () => {
    const clock = new FakeClock();
    const windows: RateWindow[] = [
      { limit: 3, windowMs: 1000 },
      { limit: 5, windowMs: 10_000 },
    ];
    const limiter = new RollingWindowLimiter(windows, clock);
    const start = clock.now();
    const stamps = await run(limiter, clock, 11);
    for (const w of windows) expect(maxInAnyWindow(stamps, w.windowMs)).toBeLessThanOrEqual(w.limit);
    // 3 at 0, 2 at 1000 (the long window's 5 are used up), then the long window rules: 10000, 10000, 10000...
    expect(stamps.map((s) => s - start)).toEqual([0, 0, 0, 1000, 1000, 10_000, 10_000, 10_000, 11_000, 11_000, 20_000]);
  });

  it("never exceeds Kore's bot tier (60/min, 1,800/h) over two hours of saturation, and uses all of it", async () => {
    const clock = new FakeClock();
    const limiter = new RollingWindowLimiter(BOT_TIER_WINDOWS, clock);
    const start = clock.now();
    const stamps = await run(limiter, clock, 3700);
    expect(maxInAnyWindow(stamps, 60_000)).toBe(60);
    expect(maxInAnyWindow(stamps, 3_600_000)).toBe(1800);
    // The hour's 1,800 are spent in the first 30 minutes at 60/min; the 1,801st waits for the first to age out.
    expect((stamps[1799] ?? 0) - start).toBe(29 * 60_000);
    expect((stamps[1800] ?? 0) - start).toBe(3_600_000);
    expect(limiter.recent(3_600_000)).toBeLessThanOrEqual(1800);
  });

  it('reports how long a call would wait', async () => {
    const clock = new FakeClock();
    const limiter = new RollingWindowLimiter([{ limit: 1, windowMs: 500 }], clock);
    expect(limiter.waitMs()).toBe(0);
    await limiter.acquire();
    clock.t += 200;
    expect(limiter.waitMs()).toBe(300);
  });

  it('rejects nonsense windows', () => {
    expect(() => new RollingWindowLimiter([])).toThrow(RangeError);
    expect(() => new RollingWindowLimiter([{ limit: 0, windowMs: 1000 }])).toThrow(RangeError);
    expect(() => new RollingWindowLimiter([{ limit: 1, windowMs: 0 }])).toThrow(RangeError);
  });
});

describe('PerBotThrottle', () => {
  it('gives every bot its own windows', async () => {
    const clock = new FakeClock();
    const throttle = new PerBotThrottle([{ limit: 2, windowMs: 1000 }], clock);
    const start = clock.now();
    await throttle.acquire('bot-a');
    await throttle.acquire('bot-a');
    await throttle.acquire('bot-b');
    await throttle.acquire('bot-b');
    expect(clock.now()).toBe(start); // four calls, no wait: two per bot
    await throttle.acquire('bot-a');
    expect(clock.now() - start).toBe(1000);
  });

  it('works on the real clock with short windows', async () => {
    const throttle = new PerBotThrottle([{ limit: 2, windowMs: 150 }]);
    const t0 = Date.now();
    await Promise.all([1, 2, 3, 4, 5].map(() => throttle.acquire('bot')));
    // 2 at once, 2 after ~150 ms, 1 after ~300 ms
    expect(Date.now() - t0).toBeGreaterThanOrEqual(295);
  });
});
