// The normalised vocabulary every adapter speaks. Adapters turn platform events into these; the core never
// sees a platform payload. Every fact carries a dedupeKey that is stable across re-deliveries of the same
// platform event (two topics, a reconnect, a webhook retry), so the store can make ingestion idempotent.

export type Experience = 'voice' | 'chat';

/** Who an agent is, as far as the platform told us. `identity` is the platform's user id. */
export interface AgentInfo {
  readonly identity: string;
  readonly name?: string;
  readonly email?: string;
  readonly queueId?: string;
  readonly queueName?: string;
}

/** The customer side of a conversation: used to recognise a redial placed as a new conversation. */
export interface CustomerInfo {
  readonly address?: string;
  readonly externalContactId?: string;
}

export type JoinVia = 'routing' | 'transfer' | 'consult' | 'conference' | 'callback' | 'reconnect' | 'outbound';

export type AgentLeftReason = 'transfer' | 'consult' | 'conference' | 'hangup' | 'dropped';

export type CustomerLeftReason = 'hangup' | 'dropped';

export type MessageAuthor = 'USER' | 'AGENT';

interface FactBase {
  /** The platform's conversation id. The core may map it onto an earlier conversation (redial). */
  readonly conversationId: string;
  /** Stable identity of the platform event; a second fact with the same key is a no-op. */
  readonly dedupeKey: string;
  /** When it happened on the platform, epoch milliseconds. Drives settle and redial windows. */
  readonly at: number;
  /** Adapter name (genesys, ada, ...). Used for bot selection and metrics. */
  readonly source: string;
  /** Routing hints for bot selection: the platform queue, or the Ada AI agent domain. */
  readonly queueId?: string;
  readonly domain?: string;
  readonly experience?: Experience;
  readonly language?: string;
}

export interface AgentJoinedFact extends FactBase {
  readonly type: 'agent.joined';
  /** participant id + communication id: one media leg. */
  readonly leg: string;
  readonly agent: AgentInfo;
  readonly via: JoinVia;
  readonly direction?: 'inbound' | 'outbound';
  readonly customer?: CustomerInfo;
}

export interface AgentLeftFact extends FactBase {
  readonly type: 'agent.left';
  readonly leg: string;
  readonly agent: AgentInfo;
  readonly reason: AgentLeftReason;
}

/**
 * Every agent still in the conversation left, for a platform that says so without naming them (Ada's
 * handoff.ended). The sequencer resolves it against the agents it holds in the store, so the adapter needs
 * no memory of who joined: a restart between the handoff and its end loses nothing.
 */
export interface EveryAgentLeftFact extends FactBase {
  readonly type: 'agents.left';
  readonly reason: AgentLeftReason;
}

export interface CustomerLeftFact extends FactBase {
  readonly type: 'customer.left';
  readonly reason: CustomerLeftReason;
  readonly customer?: CustomerInfo;
}

export interface MessageFact extends FactBase {
  readonly type: 'message';
  readonly author: MessageAuthor;
  /** Empty when `textRef` is set: the text is fetched when the call is sent, after the fact is durable. */
  readonly text: string;
  /**
   * An adapter's own reference for text it could not carry yet (a digital message id to fetch): the source's
   * OutboxCompleter resolves it at send time, so a slow or failing fetch never holds the fact in memory.
   */
  readonly textRef?: string;
  readonly messageId: string;
  /** For AGENT messages: which agent spoke, when the platform says so. */
  readonly agentIdentity?: string;
}

export interface ConversationEndedFact extends FactBase {
  readonly type: 'conversation.ended';
}

export type Fact = AgentJoinedFact | AgentLeftFact | EveryAgentLeftFact | CustomerLeftFact | MessageFact | ConversationEndedFact;

export type FactType = Fact['type'];
