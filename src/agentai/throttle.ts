// A client-side rate limiter for Kore.ai platform APIs. The docs (facts.md 1.6) describe "rolling" limits
// checked against a 60-second and a one-hour window at once; Conversation Details is in the bot tier:
// 60/min and 1,800/hour per bot. A breach of the hourly limit blocks every request, so staying under both
// matters more than a little latency.
//
// Why not two chained p-queues (each with `strict` sliding windows)? Chaining stamps the outer queue's window
// when the task enters the inner queue, not when the request leaves; with the inner queue waiting up to a
// minute the outer window can be overshot. Here one list of send times is checked against every window at
// the moment of sending, which is exact, and the clock is injectable so tests need no real hour.

export interface RateWindow {
  /** At most this many calls... */
  readonly limit: number;
  /** ...in any rolling window of this length. */
  readonly windowMs: number;
}

export interface ThrottleClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: ThrottleClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Kore's bot tier (Conversation Details and Summary): 60 a minute and 1,800 an hour, rolling. */
export const BOT_TIER_WINDOWS: readonly RateWindow[] = [
  { limit: 60, windowMs: 60_000 },
  { limit: 1800, windowMs: 3_600_000 },
];

export class RollingWindowLimiter {
  readonly #windows: readonly RateWindow[];
  readonly #clock: ThrottleClock;
  readonly #longest: number;
  /** Send times, ascending, trimmed to the longest window. */
  #stamps: number[] = [];
  /** Acquisitions are served one at a time, in arrival order. */
  #tail: Promise<void> = Promise.resolve();

  constructor(windows: readonly RateWindow[], clock: ThrottleClock = realClock) {
    if (windows.length === 0) throw new RangeError('a rate limiter needs at least one window');
    for (const w of windows) {
      if (!Number.isInteger(w.limit) || w.limit < 1) throw new RangeError(`rate limit must be a whole number >= 1, got ${w.limit}`);
      if (!Number.isFinite(w.windowMs) || w.windowMs <= 0) throw new RangeError(`rate window must be > 0 ms, got ${w.windowMs}`);
    }
    this.#windows = windows;
    this.#clock = clock;
    this.#longest = Math.max(...windows.map((w) => w.windowMs));
  }

  /** Resolves once a call may be sent without breaching any window, and counts that call as sent. */
  acquire(): Promise<void> {
    const turn = this.#tail.then(() => this.#take());
    // A failed sleep must not wedge the line for everyone after it.
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  /** How long a call made now would wait (0 = it could go at once). */
  waitMs(): number {
    const now = this.#clock.now();
    this.#trim(now);
    let wait = 0;
    for (const w of this.#windows) {
      const inWindow = this.#countSince(now - w.windowMs);
      if (inWindow < w.limit) continue;
      // The window frees a slot when its limit-th most recent call ages out.
      const oldestThatMatters = this.#stamps[this.#stamps.length - w.limit] ?? now;
      wait = Math.max(wait, oldestThatMatters + w.windowMs - now);
    }
    return Math.max(0, wait);
  }

  /** Calls counted in the last `windowMs` (for tests and metrics). */
  recent(windowMs: number): number {
    return this.#countSince(this.#clock.now() - windowMs);
  }

  async #take(): Promise<void> {
    for (;;) {
      const wait = this.waitMs();
      if (wait <= 0) break;
      await this.#clock.sleep(wait);
    }
    this.#stamps.push(this.#clock.now());
  }

  #trim(now: number): void {
    const cut = now - this.#longest;
    let drop = 0;
    while (drop < this.#stamps.length && (this.#stamps[drop] ?? 0) <= cut) drop += 1;
    if (drop > 0) this.#stamps = this.#stamps.slice(drop);
  }

  /** Stamps strictly after `since` (a call exactly windowMs old has left the window). */
  #countSince(since: number): number {
    let lo = 0;
    let hi = this.#stamps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#stamps[mid] ?? 0) <= since) lo = mid + 1;
      else hi = mid;
    }
    return this.#stamps.length - lo;
  }
}

/** One limiter per bot id, created on first use. */
export class PerBotThrottle {
  readonly #limiters = new Map<string, RollingWindowLimiter>();

  constructor(
    private readonly windows: readonly RateWindow[] = BOT_TIER_WINDOWS,
    private readonly clock: ThrottleClock = realClock,
  ) {}

  acquire(botId: string): Promise<void> {
    return this.limiter(botId).acquire();
  }

  limiter(botId: string): RollingWindowLimiter {
    let limiter = this.#limiters.get(botId);
    if (!limiter) this.#limiters.set(botId, (limiter = new RollingWindowLimiter(this.windows, this.clock)));
    return limiter;
  }
}
