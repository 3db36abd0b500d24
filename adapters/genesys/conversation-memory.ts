// What the processor remembers per conversation between frames. Snapshots arrive duplicated (two topics),
// re-ordered and stale; remembering the furthest phase each leg reached makes every fact fire at most once.
// Memory is bounded: if the core never calls forget() (a conversation it never opened), the least recently
// touched conversation is dropped; a re-seen conversation then re-emits facts the store already deduped.
import type { AgentLeftReason, Experience } from '../../src/core/facts.js';
import type { Leg, LegPhase } from './legs.js';

/** A leg's identity as first seen, plus how far it has got. */
export interface LegMemory extends Pick<Leg, 'key' | 'participantId' | 'communicationId' | 'synthetic' | 'media' | 'role'> {
  phase: LegPhase;
  /** Reached `connected`; only such legs produce exits. */
  connected: boolean;
  /** An agent leg whose `agent.joined` was emitted: only such legs produce `agent.left`. */
  announced: boolean;
  /** Why a connected agent leg is not announced (yet), once it has been counted. */
  withheld?: WithheldReason;
  connectedAt?: number;
  endedAt?: number;
  userId?: string;
}

/** Why a connected agent leg produced no `agent.joined` (see withheld.ts). */
export type WithheldReason =
  | 'supervisor-monitor'
  | 'supervisor-coach'
  | 'supervisor-screen-monitor'
  | 'no-customer'
  | 'consult-initiator';

export interface ConversationMemory {
  readonly legs: Map<string, LegMemory>;
  // The three collections below are created at their first entry: most conversations never need them, and
  // three empty collections were a quarter of what an open idle conversation cost on the heap (goal 6).
  /** Alternative leg keys (a flattened `participant:calls` vs the nested `participant:<call id>`) → canonical key. */
  aliases?: Map<string, string>;
  ended: boolean;
  agentEverConnected: boolean;
  /** A customer or external participant has been seen: until then agent legs are held back (user-to-user calls). */
  customerSeen: boolean;
  /** For a digital consult (a conversation of its own): the customer's conversation it belongs to. */
  parentConversationId?: string;
  /** Why the most recent agent exit happened: a join right after a blind transfer is a `transfer` join. */
  lastAgentExit?: AgentLeftReason;
  utterances?: Set<string>;
  messageIds?: Set<string>;
  queueId?: string;
  experience?: Experience;
}

export const DEFAULT_MAX_CONVERSATIONS = 10_000;

export class ConversationMemoryStore {
  private readonly conversations = new Map<string, ConversationMemory>();

  constructor(private readonly maxConversations: number = DEFAULT_MAX_CONVERSATIONS) {}

  /** The memory for a conversation, created on first use; marks it most recently used. */
  touch(conversationId: string): ConversationMemory {
    const existing = this.conversations.get(conversationId);
    if (existing) {
      this.conversations.delete(conversationId);
      this.conversations.set(conversationId, existing);
      return existing;
    }
    const created: ConversationMemory = {
      legs: new Map(),
      ended: false,
      agentEverConnected: false,
      customerSeen: false,
      // Declared now, set later (see the leg memory in conversation-facts.ts): kept inside the object.
      queueId: undefined,
      experience: undefined,
    };
    this.conversations.set(conversationId, created);
    while (this.conversations.size > this.maxConversations) {
      const oldest = this.conversations.keys().next();
      if (oldest.done) break;
      this.conversations.delete(oldest.value);
    }
    return created;
  }

  peek(conversationId: string): ConversationMemory | undefined {
    return this.conversations.get(conversationId);
  }

  forget(conversationId: string): void {
    this.conversations.delete(conversationId);
  }
}

/** Whether an announced agent leg of the conversation was connected at `at` (epoch ms). */
export function agentConnectedAt(memory: ConversationMemory, at: number): boolean {
  for (const leg of memory.legs.values()) {
    if (leg.role !== 'agent' || !leg.announced || leg.connectedAt === undefined || leg.connectedAt > at) continue;
    if (leg.phase < 2 || (leg.endedAt !== undefined && leg.endedAt > at)) return true;
  }
  return false;
}

/** The user id behind a leg id, for attributing INTERNAL transcription to an agent. */
export function userOfCommunication(memory: ConversationMemory, communicationId: string): string | undefined {
  for (const leg of memory.legs.values()) {
    if (leg.role === 'agent' && leg.announced && leg.communicationId === communicationId && leg.userId) return leg.userId;
  }
  return undefined;
}
