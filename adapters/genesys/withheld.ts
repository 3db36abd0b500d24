// Agent legs that connect but are not an agent entering the customer's conversation, so they produce no
// `agent.joined`/`agent.left` (see README "Who counts as an agent"):
//  supervisor-*      a supervisor listening (`monitoredParticipantId`, `screenMonitoredParticipantId`) or
//                    coaching (`coachedParticipantId`: the customer cannot hear them). A barge-in
//                    (`bargedParticipantId`, `bargedTime`, or the monitoring id dropped) makes them an agent.
//  no-customer       nobody but users in the conversation (an internal user-to-user call) so far; when a
//                    customer or external party appears, the agents still connected join at that point.
//  consult-initiator in a digital consult's own conversation, the agent who opened it: they are already in
//                    the customer's conversation, where their legs are followed.
import type { ConversationMemory, LegMemory, WithheldReason } from './conversation-memory.js';
import type { Leg } from './legs.js';

export type { WithheldReason };

/** Why this agent leg must not count as an agent in the conversation now, or undefined when it does. */
export function withheldReason(leg: Leg, memory: ConversationMemory, parent: ConversationMemory | undefined): WithheldReason | undefined {
  switch (leg.supervision) {
    case 'monitor':
      return 'supervisor-monitor';
    case 'coach':
      return 'supervisor-coach';
    case 'screen-monitor':
      return 'supervisor-screen-monitor';
    case 'barge':
    case undefined:
      break;
  }
  if (memory.parentConversationId !== undefined) {
    return parent && connectedInParent(leg, parent) ? 'consult-initiator' : undefined;
  }
  return memory.customerSeen ? undefined : 'no-customer';
}

/** Withheld for good: the reason cannot go away while the leg lasts. */
export function withheldForGood(remembered: LegMemory): boolean {
  return remembered.withheld === 'consult-initiator';
}

function connectedInParent(leg: Leg, parent: ConversationMemory): boolean {
  const identity = leg.userId ?? leg.participantId;
  for (const known of parent.legs.values()) {
    if (known.role === 'agent' && known.announced && known.phase === 1 && (known.userId ?? known.participantId) === identity) return true;
  }
  return false;
}
