// Group commit: items added in one turn of the event loop are written together by one call of `write` (one
// transaction, one fsync), and batches never overlap, so commits happen in the order items were added. Each
// caller's promise settles only once its batch is durable.
interface Waiter<In, Out> {
  readonly item: In;
  readonly resolve: (out: Out) => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommit<In, Out> {
  private queue: Waiter<In, Out>[] = [];
  private scheduled = false;
  private writing: Promise<void> | undefined;

  /** `write` returns one result per item, in order; if it throws, every item of the batch is rejected. */
  constructor(
    private readonly write: (items: readonly In[]) => Promise<readonly Out[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** How many items wait for a batch that has not started. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves once everything added so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.queue.length || this.writing) {
      if (!this.writing) this.start();
      await this.writing;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.writing) this.start();
    });
  }

  private start(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.writing = this.flush(batch).finally(() => {
      this.writing = undefined;
      if (this.queue.length) this.schedule();
    });
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
