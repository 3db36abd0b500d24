// Ada events → facts, one conversation at a time. Pure: the adapter commits the returned state only after every
// fact was durably ingested, so a failed delivery that Ada retries is mapped again from the same state and yields
// the same facts with the same dedupe keys.
import type { AgentInfo, Fact } from '../../src/core/facts.js';
import { capId } from './limits.js';
import type { AdaEvent, AdaMessageEvent } from './payload.js';

export interface JoinedAgent {
  readonly agent: AgentInfo;
  readonly leg: string;
}

export interface AdaConversationState {
  readonly language?: string;
  readonly domain?: string;
  /**
   * Agents known to have joined the current handoff, by identity; emptied by handoff.ended. Only a hint that
   * saves a join fact per message: who is in the conversation is the sequencer's, in the store, so after a
   * restart (this map empty) a join is sent again and changes nothing, and handoff.ended still closes them.
   */
  readonly joined: ReadonlyMap<string, JoinedAgent>;
  /** This process saw the handoff end and no agent since: the end needs no second "everyone left". */
  readonly handoffClosed?: boolean;
}

export interface MapContext {
  /** The delivery's svix-id: the root of every dedupe key, stable across Ada's retries. */
  readonly deliveryId: string;
  readonly now: number;
  readonly forwardAiAgentMessages: boolean;
}

export interface MapResult {
  readonly state: AdaConversationState;
  readonly facts: readonly Fact[];
  /** True once the conversation is over: the adapter can forget it. */
  readonly ended: boolean;
  /** Why an event produced nothing, for debug logs. */
  readonly skipped?: string;
}

export const SOURCE = 'ada';
const AI_AGENT_IDENTITY = 'ai_agent';

export function emptyConversationState(): AdaConversationState {
  return { joined: new Map() };
}

export function mapAdaEvent(previous: AdaConversationState, event: AdaEvent, ctx: MapContext): MapResult {
  const state: AdaConversationState = {
    ...previous,
    ...(event.domain ? { domain: event.domain } : {}),
    ...((event.type === 'created' || event.type === 'ended') && event.language && !previous.language
      ? { language: event.language }
      : {}),
  };
  const base = {
    conversationId: event.conversationId,
    at: event.at ?? ctx.now,
    source: SOURCE,
    experience: 'chat' as const,
    ...(state.domain ? { domain: state.domain } : {}),
    ...(state.language ? { language: state.language } : {}),
  };
  const root = `ada:${ctx.deliveryId}`;

  switch (event.type) {
    case 'created':
      return { state, facts: [], ended: false, skipped: 'conversation.created carries no fact' };

    case 'handoff.ended':
      return { state: { ...state, joined: new Map(), handoffClosed: true }, facts: [everyoneLeft(base, root)], ended: false };

    case 'ended': {
      // handoff.ended may never come (or come later): close any leg still open before the end.
      const facts: Fact[] = [...(state.handoffClosed ? [] : [everyoneLeft(base, root)]), { ...base, type: 'conversation.ended', dedupeKey: root }];
      return { state: { ...state, joined: new Map() }, facts, ended: true };
    }

    case 'message':
      return mapMessage(state, event, base, root, ctx);
  }
}

type FactBaseFields = Pick<Fact, 'conversationId' | 'at' | 'source' | 'experience' | 'domain' | 'language'>;

/** Ada does not say who left: the sequencer closes every agent it holds for this conversation. */
function everyoneLeft(base: FactBaseFields, root: string): Fact {
  return { ...base, type: 'agents.left', dedupeKey: `${root}:left`, reason: 'hangup' };
}

function mapMessage(
  state: AdaConversationState,
  event: AdaMessageEvent,
  base: FactBaseFields,
  root: string,
  ctx: MapContext,
): MapResult {
  const messageId = event.messageId ?? ctx.deliveryId;
  const message = (author: 'USER' | 'AGENT', agentIdentity?: string): Fact[] =>
    event.text === undefined
      ? []
      : [
          {
            ...base,
            type: 'message',
            dedupeKey: root,
            author,
            text: event.text,
            messageId,
            ...(agentIdentity ? { agentIdentity } : {}),
          },
        ];
  const noText = event.text === undefined ? { skipped: 'message content carries no text' } : {};

  switch (event.role) {
    case 'end_user':
      return { state, facts: message('USER'), ended: false, ...noText };

    case 'ai_agent':
      if (!ctx.forwardAiAgentMessages) return { state, facts: [], ended: false, skipped: 'ai_agent message' };
      return { state, facts: message('AGENT', AI_AGENT_IDENTITY), ended: false, ...noText };

    case 'human_agent': {
      // Ada sends no "agent joined" event: the first word from a human agent in a handoff is the join.
      // A name standing in for the id is held to the id cap too (limits.ts).
      const identity = event.authorId ?? (event.authorName ? capId(event.authorName) : 'human_agent');
      if (state.joined.has(identity)) return { state, facts: message('AGENT', identity), ended: false, ...noText };
      const agent: AgentInfo = { identity, ...(event.authorName ? { name: event.authorName } : {}) };
      // The core treats a leg as single-use, so a second handoff to the same agent needs a fresh leg; the
      // joining message's id makes it unique and stable across retries (and across our restarts).
      const leg = `ada:${event.conversationId}:${identity}:${messageId}`;
      const joined = new Map(state.joined);
      joined.set(identity, { agent, leg });
      const facts: Fact[] = [
        { ...base, type: 'agent.joined', dedupeKey: `${root}:joined:${identity}`, leg, agent, via: 'routing' },
        ...message('AGENT', identity),
      ];
      return { state: { ...state, joined, handoffClosed: false }, facts, ended: false };
    }

    default:
      return { state, facts: [], ended: false, skipped: `unknown author role ${event.role}` };
  }
}
