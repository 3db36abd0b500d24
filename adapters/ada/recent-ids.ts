// A bounded set of recently completed delivery ids. It only saves work: the durable guarantee is the store's
// dedupe key, so forgetting an id (eviction, restart) costs a re-mapping, never a double delivery.

export class RecentIds {
  private readonly ids = new Map<string, true>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    if (!this.ids.has(id)) return false;
    // Refresh: a retried id is likely to be retried again.
    this.ids.delete(id);
    this.ids.set(id, true);
    return true;
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.set(id, true);
    while (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next();
      if (oldest.done) break;
      this.ids.delete(oldest.value);
    }
  }
}
