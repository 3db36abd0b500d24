// Delivery marks (in flight, done, retry, dead) of many calls commit in one store transaction, and each writer
// learns whether its claim still held when it did.
import type { ClaimedUpdate, Store } from '../store/types.js';
import { GroupCommit } from '../util/group-commit.js';

export class MarkBatcher {
  private readonly batches: GroupCommit<ClaimedUpdate, boolean>;

  constructor(store: Store, maxBatch = 1024) {
    this.batches = new GroupCommit(async (updates) => {
      const { refused } = await store.record(updates);
      const no = new Set(refused);
      return updates.map((u) => !no.has(u.update.id));
    }, { maxBatch, overlap: store.commitsInCallOrder === true });
  }

  /** Resolves true once the mark is durable, false if the store refused it (the claim's fence moved on). */
  write(update: ClaimedUpdate): Promise<boolean> {
    return this.batches.add(update);
  }

  idle(): Promise<void> {
    return this.batches.idle();
  }
}
