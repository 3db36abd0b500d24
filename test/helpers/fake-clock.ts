// A test clock for everything that waits on time through `Timers` and `now` (delivery retries, circuit
// probes, drains): hours pass in milliseconds, and timers fire in due order with the event loop let run
// between them, so the store's group commits and the runners' promises settle as they would live.
import type { Timers } from '../../src/util/timers.js';

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class FakeClock implements Timers {
  private t: number;
  private seq = 0;
  private readonly scheduled = new Map<number, Scheduled>();

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  setTimeout(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.scheduled.set(this.seq, { at: this.t + Math.max(0, ms), seq: this.seq, fn });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.scheduled.delete(handle);
  }

  /** Timers waiting now. */
  get pendingTimers(): number {
    return this.scheduled.size;
  }

  /** Lets promises, setImmediate callbacks and the store's group commits run (no clock time passes). */
  async settle(turns = 60): Promise<void> {
    for (let i = 0; i < turns; i += 1) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Moves the clock forward, firing every timer that falls due on the way, earliest first. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await this.settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > end) break;
      this.scheduled.delete(next.seq);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await this.settle();
    }
    this.t = end;
    await this.settle();
  }

  private earliest(): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of this.scheduled.values()) if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    return best;
  }
}
