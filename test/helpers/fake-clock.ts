// A test clock for everything that waits on time through `Timers` and `now` (delivery retries, circuit
// probes, drains, hold windows): hours pass in milliseconds, and timers fire in due order with the event loop
// let run between them, so the store's group commits and the runners' promises settle as they would live.
// What waits on time then runs in a known order however loaded the machine is: tests assert on order and
// outcome, not on sleeps.
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
  /** Timers fired so far (what waits on time is not polling: a few per event, not one per millisecond). */
  fired = 0;

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
      this.fired += 1;
      next.fn();
      await this.settle();
    }
    this.t = end;
    await this.settle();
  }

  /** When the next timer fires, if any. */
  nextAt(): number | undefined {
    return this.earliest()?.at;
  }

  /**
   * Moves the clock forward at once, firing every timer due on the way in time order (a timer set by a
   * callback fires too if it falls within the step); the work the callbacks start is the caller's to await.
   */
  step(ms: number): void {
    const end = this.t + ms;
    for (let due = this.earliest(); due && due.at <= end; due = this.earliest()) {
      this.scheduled.delete(due.seq);
      this.t = Math.max(this.t, due.at);
      this.fired += 1;
      due.fn();
    }
    this.t = end;
  }

  /**
   * Moves the clock forward one due timer at a time, awaiting `settle` (e.g. "the dispatcher is quiet") after
   * each: a retry that schedules another retry within the span sees it fire too.
   */
  async play(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.t + ms;
    for (let at = this.nextAt(); at !== undefined && at <= end; at = this.nextAt()) {
      this.step(at - this.t);
      await settle();
    }
    this.step(end - this.t);
    await settle();
  }

  private earliest(): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of this.scheduled.values()) if (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s;
    return best;
  }
}
