// Decoded conversations, most recently used first out last: a fact for a live conversation skips reading and
// parsing its state again. Only a store that is the sole writer of its rows may use it (SQLite).
import type { ConversationRecord } from './types.js';

export class ConversationCache {
  private readonly entries = new Map<string, ConversationRecord>();

  constructor(private readonly capacity: number) {}

  get(id: string): ConversationRecord | undefined {
    const hit = this.entries.get(id);
    if (hit) {
      // Map keeps insertion order: re-inserting marks it most recently used.
      this.entries.delete(id);
      this.entries.set(id, hit);
    }
    return hit;
  }

  set(record: ConversationRecord): void {
    this.entries.delete(record.id);
    if (this.capacity <= 0) return;
    this.entries.set(record.id, record);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
