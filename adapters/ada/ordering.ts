// Holds items per key for a short window and then processes them one by one, sorted. Ada (Svix) does not
// deliver in order, and its own demos buffer 2 s and sort by `timestamp`; we do the same per conversation.
// Each submit() returns a promise for its own item, so the HTTP response can wait for that item's ingestion.
import { KeyedSerial } from '../../src/util/keyed-serial.js';
import { realTimers, type Timers } from '../../src/util/timers.js';

export interface OrderingBufferOptions<T, R> {
  readonly holdMs: number;
  /** Sort order within one flushed batch; ties keep arrival order. */
  readonly compare: (a: T, b: T) => number;
  /** Called one item at a time per key, never concurrently for the same key. */
  readonly process: (key: string, item: T) => Promise<R>;
  /** The wall clock unless a test drives the windows. */
  readonly timers?: Timers;
}

interface Entry<T, R> {
  readonly item: T;
  readonly seq: number;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

interface Batch<T, R> {
  readonly entries: Entry<T, R>[];
  readonly timer: unknown;
}

export class OrderingBuffer<T, R> {
  private readonly batches = new Map<string, Batch<T, R>>();
  /** Flushed windows of one key are processed one after another. */
  private readonly serial = new KeyedSerial();
  private seq = 0;
  private readonly timers: Timers;

  constructor(private readonly options: OrderingBufferOptions<T, R>) {
    this.timers = options.timers ?? realTimers;
  }

  /** Items waiting for their window to close. */
  get pending(): number {
    let n = 0;
    for (const batch of this.batches.values()) n += batch.entries.length;
    return n;
  }

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry: Entry<T, R> = { item, seq: this.seq++, resolve, reject };
      const batch = this.batches.get(key);
      if (batch) {
        batch.entries.push(entry);
        return;
      }
      // The window is fixed from the first item, not extended by later ones, so a chatty conversation can
      // never hold its responses past holdMs plus processing (Ada gives up after 15 s).
      const timer = this.timers.setTimeout(() => this.flush(key), this.options.holdMs);
      this.batches.set(key, { entries: [entry], timer });
    });
  }

  /** Processes everything held now, and waits for every key's processing to finish. */
  async flushAll(): Promise<void> {
    for (const key of [...this.batches.keys()]) this.flush(key);
    await this.serial.idle();
  }

  private flush(key: string): void {
    const batch = this.batches.get(key);
    if (!batch) return;
    this.timers.clearTimeout(batch.timer);
    this.batches.delete(key);
    const entries = [...batch.entries].sort((a, b) => this.options.compare(a.item, b.item) || a.seq - b.seq);
    void this.serial.run(key, () => this.run(key, entries));
  }

  private async run(key: string, entries: readonly Entry<T, R>[]): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const entry of entries) {
      // After a failure the rest of the batch is refused rather than processed out of order: the sender
      // retries each refused item, and ordering within a conversation is worth more than latency.
      if (failure) {
        entry.reject(failure.error);
        continue;
      }
      try {
        entry.resolve(await this.options.process(key, entry.item));
      } catch (error) {
        failure = { error };
        entry.reject(error);
      }
    }
  }
}
