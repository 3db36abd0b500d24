// The sequencer's per-conversation state. Plain JSON: it is persisted in the store after every fact, so a
// restart resumes each conversation exactly where it was, timers included (wakeAt).
import { z } from 'zod';
import { BridgeError } from '../errors.js';
import { decodeState, encodeState } from './state-codec.js';
import type { AgentInfo, AgentLeftReason, CustomerInfo, Experience, MessageAuthor } from './facts.js';

export interface ActiveAgent {
  readonly agent: AgentInfo;
  /** One agent can hold several legs at once (several participant entries); the agent leaves with the last. */
  readonly legs: string[];
}

export interface PendingExit {
  readonly agent: AgentInfo;
  readonly reason: AgentLeftReason;
  readonly at: number;
  /** If nobody joins before this, the exit is classified as the final (NA) exit. */
  readonly deadline: number;
}

export interface BufferedMessage {
  readonly author: MessageAuthor;
  readonly text: string;
  readonly messageId: string;
  readonly agentIdentity?: string;
  readonly textRef?: string;
}

export type Phase =
  /** No agent has entered yet; nothing has been sent to Agent AI. */
  | 'waiting'
  /** NA entry sent; END_OF_CONVERSATION not yet. */
  | 'open'
  /** END_OF_CONVERSATION emitted (or the conversation ended before any agent): everything after is ignored. */
  | 'closed';

export interface ConversationState {
  readonly v: typeof STATE_VERSION;
  phase: Phase;
  experience?: Experience;
  language?: string;
  /** Agents currently in the conversation, in join order; the first is the primary agent. */
  active: ActiveAgent[];
  /** The last agent to leave while nobody else stayed, waiting for the settle window to classify it. */
  pendingExit?: PendingExit;
  /** The agent who last held the conversation: the EOC participant and message fallback. */
  lastAgent?: AgentInfo;
  /** An abrupt drop opened a redial window: an agent entering before `until` is a redial entry. */
  dropped?: { at: number; until: number };
  /** The customer's leg dropped; the next final exit opens the redial window from this time. */
  customerDroppedAt?: number;
  customerGone: boolean;
  customer?: { address?: string; externalContactId?: string };
  /** Platform conversations feeding this one (several after a redial placed as a new call), and whether each ended. */
  platforms: Record<string, { ended: boolean }>;
  /** Legs seen, so a duplicate or stale join/leave of the same leg changes nothing. */
  legs: Record<string, 'joined' | 'left'>;
  earlyMessages: BufferedMessage[];
  /** The earliest time the sequencer needs a timer input; undefined when nothing is pending. */
  wakeAt?: number;
  closedAt?: number;
}

export function initialState(): ConversationState {
  return { v: STATE_VERSION, phase: 'waiting', active: [], customerGone: false, platforms: {}, legs: {}, earlyMessages: [] };
}

/**
 * A copy the sequencer may change without touching `state`: the containers it changes in place (the agent list
 * and each agent's legs, the leg and platform maps, the early messages) are new; the objects it only ever
 * replaces (agents, the pending exit, the drop window, the customer) are shared. A fraction of structuredClone's
 * cost, which ran once per fact.
 */
export function copyState(state: ConversationState): ConversationState {
  return {
    ...state,
    active: state.active.map((a) => ({ agent: a.agent, legs: [...a.legs] })),
    platforms: { ...state.platforms },
    legs: { ...state.legs },
    earlyMessages: [...state.earlyMessages],
  };
}

export function mergeCustomer(
  current: ConversationState['customer'],
  next: CustomerInfo | undefined,
): ConversationState['customer'] {
  if (!next || (!next.address && !next.externalContactId)) return current;
  return {
    address: next.address ?? current?.address,
    externalContactId: next.externalContactId ?? current?.externalContactId,
  };
}

// The state is persisted as JSON and read back after restarts and upgrades: parse it, never trust it.
const agentInfo = z.object({
  identity: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  queueId: z.string().optional(),
  queueName: z.string().optional(),
});
const stateSchema = z.object({
  v: z.literal(2),
  phase: z.enum(['waiting', 'open', 'closed']),
  experience: z.enum(['voice', 'chat']).optional(),
  language: z.string().optional(),
  active: z.array(z.object({ agent: agentInfo, legs: z.array(z.string()) })),
  pendingExit: z
    .object({
      agent: agentInfo,
      reason: z.enum(['transfer', 'consult', 'conference', 'hangup', 'dropped']),
      at: z.number(),
      deadline: z.number(),
    })
    .optional(),
  lastAgent: agentInfo.optional(),
  dropped: z.object({ at: z.number(), until: z.number() }).optional(),
  customerDroppedAt: z.number().optional(),
  customerGone: z.boolean(),
  customer: z.object({ address: z.string().optional(), externalContactId: z.string().optional() }).optional(),
  platforms: z.record(z.string(), z.object({ ended: z.boolean() })),
  legs: z.record(z.string(), z.enum(['joined', 'left'])),
  earlyMessages: z.array(
    z.object({
      author: z.enum(['USER', 'AGENT']),
      text: z.string(),
      messageId: z.string(),
      agentIdentity: z.string().optional(),
      textRef: z.string().optional(),
    }),
  ),
  wakeAt: z.number().optional(),
  closedAt: z.number().optional(),
});

/**
 * The form this release writes. A change to ConversationState's stored form bumps it and adds an upgrade.
 * 2: the compact encoding of state-codec.ts (short keys, defaults left out); the fields are version 1's.
 */
export const STATE_VERSION = 2;

/**
 * Upgrades from each older stored version to the next, applied in order at read time, so a conversation
 * written by an earlier release resumes where it was. Version 1 is the first release's: nothing to upgrade yet.
 */
const UPGRADES: Readonly<Record<number, (older: Record<string, unknown>) => Record<string, unknown>>> = {
  // Version 1 is the verbose form of the same fields, which the decoder reads as it is.
  1: (older) => older,
};

/** The JSON stored for a state: the compact form of STATE_VERSION. */
export function serialiseState(state: ConversationState): string {
  return encodeState(state);
}

/** A stored state this release cannot read: written by a newer release, or of a version it has no upgrade for. */
export class StateVersionError extends BridgeError {
  constructor(message: string) {
    super('STATE_VERSION_UNKNOWN', message);
    this.name = 'StateVersionError';
  }
}

export function parseState(json: string): ConversationState {
  const raw: unknown = JSON.parse(json);
  if (typeof raw !== 'object' || raw === null) return stateSchema.parse(raw);
  let doc = { ...(raw as Record<string, unknown>) };
  let version = typeof doc.v === 'number' ? doc.v : 1;
  if (version > STATE_VERSION) {
    throw new StateVersionError(`conversation state version ${version} is newer than this release (${STATE_VERSION}): run the newer release`);
  }
  while (version < STATE_VERSION) {
    const upgrade = UPGRADES[version];
    if (!upgrade) throw new StateVersionError(`no upgrade from conversation state version ${version}`);
    doc = upgrade(doc);
    version += 1;
    doc.v = version;
  }
  return stateSchema.parse(decodeState(doc));
}
