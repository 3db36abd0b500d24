// Group commit: items added in one turn of the event loop are written together by one call of `write` (one
// transaction), and commits happen in the order items were added. Each caller's promise settles only once its
// batch is durable. By default batches never overlap: the next one starts when the previous one is durable.
// With `overlap`, for a writer that commits synchronously in call order and only then waits for the disk
// (the SQLite store), the next batch commits while the previous one is still being flushed: the disk's flush
// time is then shared by every batch written meanwhile instead of holding the next one back.
interface Waiter<In, Out> {
  readonly item: In;
  readonly resolve: (out: Out) => void;
  readonly reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most items in one write. */
  readonly maxBatch: number;
  /** Start a batch while earlier ones are still in `write` (only for writers that commit in call order). */
  readonly overlap?: boolean;
}

export class GroupCommit<In, Out> {
  private queue: Waiter<In, Out>[] = [];
  private scheduled = false;
  private readonly writing = new Set<Promise<void>>();
  private readonly maxBatch: number;
  private readonly overlap: boolean;

  /** `write` returns one result per item, in order; if it throws, every item of the batch is rejected. */
  constructor(
    private readonly write: (items: readonly In[]) => Promise<readonly Out[]>,
    options: GroupCommitOptions,
  ) {
    this.maxBatch = options.maxBatch;
    this.overlap = options.overlap ?? false;
  }

  add(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }


  /** Resolves once everything added so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.queue.length || this.writing.size) {
      if (this.queue.length && this.mayStart()) this.start();
      await Promise.all(this.writing);
    }
  }

  /** Overlapping, at most two: one batch being flushed and one committed behind it; a third would only
   * wait for the same flush as the second, so its items are better off joining the next batch. */
  private mayStart(): boolean {
    return this.writing.size < (this.overlap ? 2 : 1);
  }

  private schedule(): void {
    if (this.scheduled || !this.mayStart()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.mayStart()) this.start();
    });
  }

  private start(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    const writing: Promise<void> = this.flush(batch).finally(() => {
      this.writing.delete(writing);
      if (this.queue.length) this.schedule();
    });
    this.writing.add(writing);
    if (this.overlap && this.queue.length) this.schedule();
  }

  private async flush(batch: Waiter<In, Out>[]): Promise<void> {
    let results: readonly Out[];
    try {
      results = await this.write(batch.map((w) => w.item));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      if (i < results.length) w.resolve(results[i] as Out);
      else w.reject(new Error('group commit: the writer returned fewer results than items'));
    });
  }
}
