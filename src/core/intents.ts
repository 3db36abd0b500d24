// What the sequencer decides Agent AI must be told. Intents are platform-neutral and wire-format-neutral:
// src/agentai turns each one into a hooks API body.
import type { AgentInfo, Experience, MessageAuthor } from './facts.js';

export type TransferType = 'NA' | 'cold' | 'warm' | 'redial';
export type Transition = 'entry' | 'exit';

export interface TransferIntent {
  readonly kind: 'transfer';
  readonly transferType: TransferType;
  readonly transition: Transition;
  readonly agent: AgentInfo;
}

export interface SummaryIntent {
  readonly kind: 'summary';
}

export interface EndIntent {
  readonly kind: 'end';
  /** The agent responsible for the end: the last agent who held the conversation. */
  readonly agent: AgentInfo;
}

export interface MessageIntent {
  readonly kind: 'message';
  readonly author: MessageAuthor;
  readonly text: string;
  readonly messageId: string;
  /** The agent the message is attributed to (the speaking agent, else the primary agent). */
  readonly agentId: string;
  /** Text still to fetch at send time (see MessageFact.textRef). */
  readonly textRef?: string;
}

export type IntentBody = TransferIntent | SummaryIntent | EndIntent | MessageIntent;

/** An intent with the conversation context every hooks body needs. */
export type Intent = IntentBody & {
  readonly experience: Experience;
  readonly language: string;
};
