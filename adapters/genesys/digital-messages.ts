// Messaging legs list message ids (`messages[].messages[]`) but never their text (facts §2.7). Each id is
// reported once per conversation so the live adapter fetches it once.
import type { ConversationMemory } from './conversation-memory.js';
import type { DigitalMessageRef } from './frame-result.js';
import { toEpochMs } from './lenient.js';
import type { ConversationSnapshot } from './legs.js';

export function newDigitalMessages(snapshot: ConversationSnapshot, memory: ConversationMemory): DigitalMessageRef[] {
  const refs: DigitalMessageRef[] = [];
  for (const leg of snapshot.legs) {
    if (leg.media !== 'messages') continue;
    for (const message of leg.messages) {
      if (memory.messageIds.has(message.messageId)) continue;
      memory.messageIds.add(message.messageId);
      refs.push({
        conversationId: snapshot.conversationId,
        messageId: message.messageId,
        // A participant's list holds what that participant sent: the customer's is inbound, anyone else's outbound.
        direction: leg.role === 'customer' ? 'inbound' : 'outbound',
        participantId: leg.participantId,
        ...(message.messageTime !== undefined ? { messageTime: message.messageTime } : {}),
        ...(leg.userId !== undefined ? { userId: leg.userId } : {}),
      });
    }
  }
  // Legs are listed per participant; the live adapter wants the conversation's order.
  return refs.sort((a, b) => (toEpochMs(a.messageTime) ?? 0) - (toEpochMs(b.messageTime) ?? 0));
}
