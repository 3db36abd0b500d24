// Writes a conversation record (and its outbox rows) straight into a store, as if a fact had produced it.
import type { ConversationRecord, NewOutboxRow, Store } from '../../src/store/types.js';

export async function seedRecord(store: Store, conversation: ConversationRecord, outbox: readonly NewOutboxRow[] = []): Promise<void> {
  const [result] = await store.apply([
    { kind: 'fact', dedupeKey: `seed-${conversation.id}-${Math.random()}`, platformConversationId: conversation.id, at: Date.now(), redialKeys: [], decide: () => ({ conversation, outbox }) },
  ]);
  if (result?.kind !== 'applied') throw new Error(`seeding ${conversation.id} failed: ${result?.kind ?? 'no result'}`);
}
