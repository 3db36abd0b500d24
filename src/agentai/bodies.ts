// Turns the sequencer's wire-neutral intents into Kore.ai Agent AI hooks API bodies. The shapes copy the
// seed's payload examples field for field (kore-agentai-hooks-api.txt), because the docs are the only
// contract we have; where the docs contradict themselves (transfertype casing, isExtAD as string or
// boolean) the choice is a WireOptions setting, not a guess baked into code.
import type { AgentInfo, Experience, MessageAuthor } from '../core/facts.js';
import type { Intent, TransferType, Transition } from '../core/intents.js';

export interface WireOptions {
  /** examples: "NA" upper, "cold"/"warm"/"redial" lower (as the JSON examples); upper: all upper; lower: all lower. */
  transferTypeCase: 'examples' | 'upper' | 'lower';
  isExtAD: boolean;
  /** "true" (as every payload example) or true (as the event-structure table). */
  isExtADForm: 'string' | 'boolean';
  summary: { language: string; locale: string; type: string };
  eocReason: string;
}

export const DEFAULT_WIRE_OPTIONS: Readonly<WireOptions> = Object.freeze({
  transferTypeCase: 'examples',
  isExtAD: true,
  isExtADForm: 'string',
  summary: Object.freeze({ language: 'English', locale: 'en', type: 'post' }),
  eocReason: 'agent_initiated',
});

export interface HookContext {
  conversationId: string;
  botId: string;
  /** Source platform named in message bodies, e.g. 'genesys'. */
  source: string;
}

export type WireTransferType = 'NA' | 'na' | 'COLD' | 'cold' | 'WARM' | 'warm' | 'REDIAL' | 'redial';

export interface WireCustomFields {
  readonly agentEmail?: string;
  readonly queueId?: string;
  readonly queueName?: string;
}

export interface WireParticipant {
  readonly identity: string;
  readonly name: string;
  readonly type: 'agent';
  readonly customFields?: WireCustomFields;
}

export interface TransferEvent {
  readonly name: 'INTERNAL_TRANSFER_EVENT';
  readonly transfertype: WireTransferType;
  readonly transition: Transition;
  readonly isExtAD: boolean | 'true' | 'false';
  readonly language: string;
  readonly experience: Experience;
  readonly participant: WireParticipant;
}

export interface SummaryEvent {
  readonly name: 'TRIGGER_SUMMARY_EVENT';
  readonly data: { readonly language: string; readonly locale: string; readonly type: string };
}

export interface EndOfConversationEvent {
  readonly name: 'END_OF_CONVERSATION';
  readonly reason: string;
  readonly language: string;
  readonly experience: Experience;
  readonly participant: WireParticipant;
}

export type HookEvent = TransferEvent | SummaryEvent | EndOfConversationEvent;

/** One event per body: the bridge never batches, so a failed post maps to exactly one intent. */
export interface EventsHookBody {
  readonly conversationId: string;
  readonly botId: string;
  readonly events: readonly [HookEvent];
}

export interface MessageHookBody {
  readonly conversationId: string;
  readonly botId: string;
  readonly query: string;
  readonly agentId: string;
  readonly experience: Experience;
  readonly author: { readonly type: MessageAuthor };
  readonly source: string;
  readonly sendUserMessage: boolean;
  readonly sendAgentMessage: boolean;
  readonly language: string;
}

export type HookBody = MessageHookBody | EventsHookBody;

export function buildHookBody(intent: Intent, ctx: HookContext, opts: WireOptions): HookBody {
  switch (intent.kind) {
    case 'transfer':
      return eventsBody(ctx, {
        name: 'INTERNAL_TRANSFER_EVENT',
        transfertype: wireTransferType(intent.transferType, opts.transferTypeCase),
        transition: intent.transition,
        isExtAD: opts.isExtADForm === 'string' ? (opts.isExtAD ? 'true' : 'false') : opts.isExtAD,
        language: intent.language,
        experience: intent.experience,
        participant: participant(intent.agent),
      });
    case 'summary':
      return eventsBody(ctx, {
        name: 'TRIGGER_SUMMARY_EVENT',
        data: { language: opts.summary.language, locale: opts.summary.locale, type: opts.summary.type },
      });
    case 'end':
      return eventsBody(ctx, {
        name: 'END_OF_CONVERSATION',
        reason: opts.eocReason,
        language: intent.language,
        experience: intent.experience,
        participant: participant(intent.agent),
      });
    case 'message':
      return {
        conversationId: ctx.conversationId,
        botId: ctx.botId,
        query: intent.text,
        agentId: intent.agentId,
        experience: intent.experience,
        author: { type: intent.author },
        source: ctx.source,
        // Agent AI drops a message whose author's flag is false, so the flags follow the author.
        sendUserMessage: intent.author === 'USER',
        sendAgentMessage: intent.author === 'AGENT',
        language: intent.language,
      };
  }
}

/** Stable event code of an intent, for metrics, filters and tests (labels are for people). */
export function eventCode(intent: Intent): string {
  switch (intent.kind) {
    case 'transfer':
      return `${intent.transferType}.${intent.transition}`;
    case 'summary':
      return 'TRIGGER_SUMMARY_EVENT';
    case 'end':
      return 'END_OF_CONVERSATION';
    case 'message':
      return `message.${intent.author}`;
  }
}

/** Short label for logs and tests; the fake receiver labels what it receives the same way. */
export function describeIntent(intent: Intent): string {
  switch (intent.kind) {
    case 'transfer':
      return `${intent.transferType} ${intent.transition} ${intent.agent.identity}`;
    case 'summary':
      return 'TRIGGER_SUMMARY_EVENT';
    case 'end':
      return 'END_OF_CONVERSATION';
    case 'message':
      return `message ${intent.author}`;
  }
}

function eventsBody(ctx: HookContext, event: HookEvent): EventsHookBody {
  return { conversationId: ctx.conversationId, botId: ctx.botId, events: [event] };
}

function wireTransferType(type: TransferType, casing: WireOptions['transferTypeCase']): WireTransferType {
  switch (casing) {
    case 'upper':
      return upper[type];
    case 'lower':
      return lower[type];
    case 'examples':
      return type;
  }
}

const upper: Record<TransferType, WireTransferType> = { NA: 'NA', cold: 'COLD', warm: 'WARM', redial: 'REDIAL' };
const lower: Record<TransferType, WireTransferType> = { NA: 'na', cold: 'cold', warm: 'warm', redial: 'redial' };

function participant(agent: AgentInfo): WireParticipant {
  const customFields: { agentEmail?: string; queueId?: string; queueName?: string } = {};
  // An empty string from a platform is as good as unknown; sending it would blank the Quality module's field.
  if (known(agent.email)) customFields.agentEmail = agent.email;
  if (known(agent.queueId)) customFields.queueId = agent.queueId;
  if (known(agent.queueName)) customFields.queueName = agent.queueName;
  const base = { identity: agent.identity, name: known(agent.name) ? agent.name : agent.identity, type: 'agent' as const };
  return Object.keys(customFields).length > 0 ? { ...base, customFields } : base;
}

function known(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
