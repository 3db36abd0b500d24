// A clock and timers that move only when a test says so: what waits on time (retries, probes, hold windows)
// runs in a known order, however loaded the machine is, and a test asserts on order and outcome, not on sleeps.
import type { Timers } from '../../src/util/timers.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class ManualClock implements Timers {
  private t: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.pending.delete(handle);
  }

  /** Timers set and not yet fired or cleared. */
  get timers(): number {
    return this.pending.size;
  }

  /** When the next timer fires, if any. */
  nextAt(): number | undefined {
    return this.next()?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in time order (a timer set by a callback
   * fires too if it falls within the step). Work the callbacks start is the caller's to await.
   */
  advance(ms: number): void {
    const until = this.t + ms;
    for (let due = this.next(); due && due.at <= until; due = this.next()) {
      this.pending.delete(due.seq);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = until;
  }

  /**
   * Moves time forward by `ms` one due timer at a time, letting the work each timer starts finish (`settle`)
   * before the next fires: a retry that schedules another retry within the step sees it fire too.
   */
  async play(ms: number, settle: () => Promise<void>): Promise<void> {
    const until = this.t + ms;
    for (let at = this.nextAt(); at !== undefined && at <= until; at = this.nextAt()) {
      this.advance(at - this.t);
      await settle();
    }
    this.advance(until - this.t);
    await settle();
  }

  private next(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending.values()) if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    return best;
  }
}
