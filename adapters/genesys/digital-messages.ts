// Messaging legs list message ids (`messages[].messages[]`) but never their text (facts §2.7). Each id is
// reported once per conversation so the live adapter fetches it once. Only what the customer or an agent
// sent counts: a bot's or workflow's messages (and a supervisor's) are not the agent's, and the messages of
// a digital consult's own conversation are between agents.
import type { ConversationMemory } from './conversation-memory.js';
import type { DigitalMessageRef } from './frame-result.js';
import type { IgnoredInput } from './ignored.js';
import { toEpochMs } from './lenient.js';
import type { ConversationSnapshot, Leg } from './legs.js';

export function newDigitalMessages(
  snapshot: ConversationSnapshot,
  memory: ConversationMemory,
  onIgnored: (reason: IgnoredInput) => void,
): DigitalMessageRef[] {
  const refs: DigitalMessageRef[] = [];
  for (const leg of snapshot.legs) {
    if (leg.media !== 'messages') continue;
    const ignored = memory.parentConversationId !== undefined ? 'consult-message' : senderIgnored(leg, memory);
    for (const message of leg.messages) {
      if (memory.messageIds?.has(message.messageId)) continue;
      (memory.messageIds ??= new Set()).add(message.messageId);
      if (ignored) {
        onIgnored(ignored);
        continue;
      }
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

/** The customer's messages and an announced agent's count; anyone else's do not. */
function senderIgnored(leg: Leg, memory: ConversationMemory): IgnoredInput | undefined {
  if (leg.role === 'customer') return undefined;
  const remembered = memory.legs.get(memory.aliases?.get(leg.key) ?? leg.key);
  return leg.role === 'agent' && remembered?.announced === true ? undefined : 'non-agent-message';
}
