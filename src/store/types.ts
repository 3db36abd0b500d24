// The durable store's contract. SQLite (sqlite.ts) is the embedded default; the interface is narrow so a
// PostgreSQL store for several replicas can sit behind it.
import type { ConversationState } from '../core/conversation-state.js';

export interface ConversationRecord {
  /** The id Agent AI knows: the first platform conversation's id (a redial continues it). */
  readonly id: string;
  readonly bot: string;
  readonly source: string;
  readonly state: ConversationState;
}

export type OutboxKind = 'transfer' | 'summary' | 'end' | 'message';
export type OutboxStatus = 'pending' | 'inflight' | 'done' | 'dead';

export interface NewOutboxRow {
  readonly kind: OutboxKind;
  /** Human-readable, e.g. "NA entry user-A"; used in logs, dead-letter listings and the demo timeline. */
  readonly label: string;
  readonly body: unknown;
  /** When the fact that produced it happened (frame-in to hook-out latency). */
  readonly factAt: number;
}

export interface OutboxRow extends Omit<NewOutboxRow, 'body'> {
  readonly id: number;
  /** The hooks body exactly as it will be posted (serialised once, when the fact was applied). */
  readonly bodyJson: string;
  readonly conversationId: string;
  readonly bot: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly createdAt: number;
  readonly lastStatus?: number;
  readonly lastError?: string;
}

/** What one fact (or timer tick) does to the store, decided inside the transaction. */
export interface IngestPlan {
  readonly conversation: ConversationRecord;
  readonly wakeAt?: number;
  readonly closedAt?: number;
  readonly outbox: readonly NewOutboxRow[];
  /** Route this platform conversation's facts to `conversation.id` from now on (a redial). */
  readonly alias?: string;
  /** Redial index: keys this conversation can be continued by, until when; or clear them. */
  readonly redial?: { readonly keys: readonly string[]; readonly until: number } | 'clear';
}

/** Read access inside an ingest transaction. */
export interface IngestReader {
  conversationFor(platformConversationId: string): ConversationRecord | undefined;
  /** The open conversation a redial key points to, if its window is still open at `at`. */
  findRedial(keys: readonly string[], at: number): ConversationRecord | undefined;
}

export type IngestResult = { readonly kind: 'duplicate' } | { readonly kind: 'applied'; readonly plan: IngestPlan };

export interface StoreStats {
  readonly activeConversations: number;
  readonly outboxDepth: number;
  readonly deadLetters: number;
}

export interface Store {
  /** One transaction: dedupe by key, decide with the current state, write state + outbox + indexes. */
  ingest(dedupeKey: string, platformConversationId: string, at: number, decide: (reader: IngestReader) => IngestPlan): IngestResult;
  /** One transaction for a timer tick of one conversation (no dedupe key). */
  tick(conversationId: string, decide: (conversation: ConversationRecord) => IngestPlan | undefined): IngestPlan | undefined;
  /** A conversation by its Agent AI id (read only). */
  conversation(id: string): ConversationRecord | undefined;
  /** Open conversations whose next timer is due at or before `now`, earliest first. */
  dueConversations(now: number): { id: string; wakeAt: number }[];
  nextWake(): number | undefined;

  nextOutbox(conversationId: string): OutboxRow | undefined;
  conversationsWithPending(): string[];
  markAttempt(id: number, now: number): void;
  markDone(id: number, status: number, now: number): void;
  markRetry(id: number, nextAttemptAt: number, error: string, status: number | undefined, now: number): void;
  markDead(id: number, reason: string, status: number | undefined, now: number): void;

  deadLetters(): OutboxRow[];
  /** Puts dead letters back in line; returns how many. */
  retryDead(id: number | 'all', now: number): number;
  dropDead(id: number): boolean;
  outboxFor(conversationId: string): OutboxRow[];

  /** Removes closed conversations (and their seen facts and delivered rows) closed before `before`. */
  purgeClosed(before: number): number;
  stats(): StoreStats;
  /** Cheap write probe for readiness. */
  writable(): boolean;
  close(): void;
}
