// The durable "last frame seen" time (the bridge's clock), from which a start finds the conversations that
// began while the adapter was down. Frames move it in memory; it is written to the store at most once per
// `flushMs`. While a gap (or the catch-up after a start) is not yet reconciled, the durable value stays at the
// gap's start, so a crash in the middle of a reconcile pass makes the next start cover that gap again.
import type { AdapterState } from '../../../src/core/adapter.js';

export const LAST_FRAME_CURSOR = 'lastFrameAt';

export class FrameCursor {
  private latest: number | undefined;
  private written: number | undefined;
  private readonly holds = new Map<number, number>();
  private nextHold = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Flushes done by the timer, written or not (a test waits for some to have happened instead of sleeping). */
  flushes = 0;

  constructor(
    private readonly state: AdapterState,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The value the previous run left (undefined on a first start). */
  async load(): Promise<number | undefined> {
    const value = await this.state.cursor(LAST_FRAME_CURSOR);
    this.written = value;
    return value;
  }

  seen(at: number): void {
    if (this.latest === undefined || at > this.latest) this.latest = at;
  }

  /** Keeps the durable value at or before `since` until the returned release is called. */
  hold(since: number): () => void {
    const key = (this.nextHold += 1);
    this.holds.set(key, since);
    return () => void this.holds.delete(key);
  }

  /** What the store should hold now. */
  durableValue(): number | undefined {
    const held = this.holds.size ? Math.min(...this.holds.values()) : undefined;
    if (held !== undefined) return this.latest === undefined ? held : Math.min(held, this.latest);
    return this.latest;
  }

  start(flushMs: number): void {
    this.timer = setInterval(() => void this.flush().then(() => (this.flushes += 1)), flushMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    const value = this.durableValue();
    if (value === undefined || value === this.written) return;
    try {
      await this.state.setCursor(LAST_FRAME_CURSOR, value);
      this.written = value;
    } catch (err) {
      this.onError(err);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
