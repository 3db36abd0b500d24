// How an agent came to join, judged at the moment the leg connected (facts §2.4). First match wins:
//  consult    the joiner's participant has consultParticipantId, or the customer is on hold, while another
//             agent is connected (somebody has to be consulting; the first agent of a conversation never is)
//  conference another agent is connected and nobody is on hold
//  transfer   the most recent agent exit in this conversation was a blind transfer
//  outbound   the joiner's leg is outbound and no agent had connected before
//  callback   the joiner's participant has a callbacks[] leg
//  routing    otherwise
import type { JoinVia } from '../../src/core/facts.js';
import type { ConversationMemory } from './conversation-memory.js';
import type { Leg } from './legs.js';

export interface JoinSituation {
  readonly leg: Leg;
  readonly key: string;
  readonly memory: ConversationMemory;
  readonly customerHeld: boolean;
  readonly participantHasCallback: boolean;
}

export function joinVia(situation: JoinSituation): JoinVia {
  const { leg, memory } = situation;
  const otherAgentConnected = connectedAgentsOtherThan(situation).length > 0;
  if (otherAgentConnected && (leg.consultParticipantId !== undefined || situation.customerHeld)) return 'consult';
  if (otherAgentConnected) return 'conference';
  if (memory.lastAgentExit === 'transfer') return 'transfer';
  if (leg.direction === 'outbound' && !memory.agentEverConnected) return 'outbound';
  if (situation.participantHasCallback) return 'callback';
  return 'routing';
}

/**
 * Another person, that is: a second participant entry of the same user (a reconnect) does not count, nor
 * does a leg that never joined as an agent (a supervisor listening in).
 */
function connectedAgentsOtherThan({ leg, key, memory }: JoinSituation): string[] {
  const me = leg.userId ?? leg.participantId;
  const others: string[] = [];
  for (const known of memory.legs.values()) {
    if (known.key === key || known.role !== 'agent' || known.phase !== 1 || !known.announced) continue;
    const identity = known.userId ?? known.participantId;
    if (identity !== me) others.push(identity);
  }
  return others;
}
