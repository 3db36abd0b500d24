// Tasks of one key run one after another, in the order they were added; different keys run side by side.
// The Genesys adapter runs each conversation's frames this way, and Ada's ordering buffer each conversation's
// windows. (The dispatcher does not queue tasks: it coalesces wake-ups into one runner per conversation.)
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task added before it for `key`; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task still running or waiting. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves once every task added so far has finished (or failed). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
