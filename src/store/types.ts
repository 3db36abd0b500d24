// The durable store's contract, shared by the embedded SQLite store (sqlite.ts) and the PostgreSQL store for
// several replicas. It is batch-shaped and async so that both engines fit behind it:
// - `apply` commits a whole batch of mutations (facts and timer ticks) in one transaction (group commit);
//   the decision for each mutation is taken synchronously inside it, over rows the store has read (and, on
//   PostgreSQL, locked in a stable order) for that batch, so the sequencer stays pure;
// - delivery works on per-conversation claims with a fence, and writes its marks in batches (`record`);
// - a lease with an epoch says which process may act as the subscription holder; fenced facts from a process
//   that lost it are refused.
import type { ConversationState } from '../core/conversation-state.js';

export interface ConversationRecord {
  /** The id Agent AI knows: the first platform conversation's id (a redial continues it). */
  readonly id: string;
  readonly bot: string;
  readonly source: string;
  readonly state: ConversationState;
  /**
   * The platform clock as last observed for this conversation: the platform time of its latest input and the
   * bridge's own time when that input was applied. Timers run on `platformAt + (now - localAt)`, never by
   * comparing platform timestamps with the local clock.
   */
  readonly clock?: PlatformClock;
}

export interface PlatformClock {
  readonly platformAt: number;
  readonly localAt: number;
}

export type OutboxKind = 'transfer' | 'summary' | 'end' | 'message';
export type OutboxStatus = 'pending' | 'inflight' | 'done' | 'dead';

export interface NewOutboxRow {
  readonly kind: OutboxKind;
  /** Human-readable, e.g. "NA entry user-A"; for logs, dead-letter listings and the demo timeline only. */
  readonly label: string;
  /** Structured event code for metrics and filters, e.g. "NA entry", "message", "END_OF_CONVERSATION". */
  readonly event: string;
  readonly body: unknown;
  /** When the fact that produced it happened (frame-in to hook-out latency). */
  readonly factAt: number;
  /** What the source's OutboxCompleter must fill in at send time (a message text to fetch), if anything. */
  readonly ref?: string;
}

export interface OutboxRow extends Omit<NewOutboxRow, 'body'> {
  readonly id: number;
  /** The hooks body exactly as it will be posted (serialised once, when the fact was applied). */
  readonly bodyJson: string;
  readonly conversationId: string;
  readonly bot: string;
  /** The conversation's source (adapter name): whose OutboxCompleter prepares the body. */
  readonly source: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  /** The bridge's clock when the row was queued (or put back in line by an operator). */
  readonly createdAt: number;
  readonly lastStatus?: number;
  readonly lastError?: string;
  /** A dead letter that holds back the rest of its conversation until an operator retries or drops it. */
  readonly blocking?: boolean;
  /** A dead letter: when it was given up on (bridge clock); it expires BRIDGE_DEAD_LETTER_RETENTION_HOURS later. */
  readonly deadSince?: number;
}

/** The body a delivered row keeps once its body is purged (it can never be sent again). */
export const PURGED_BODY = 'null';

/** What one fact (or timer tick) does to the store, decided inside the transaction. */
export interface IngestPlan {
  readonly conversation: ConversationRecord;
  /** Next timer, on the bridge's clock (already converted from the platform clock). */
  readonly wakeAt?: number;
  /** The conversation is closed (END_OF_CONVERSATION queued or nothing to end): the bridge's clock. */
  readonly closedAt?: number;
  readonly outbox: readonly NewOutboxRow[];
  /** Route this platform conversation's facts to `conversation.id` from now on (a redial). */
  readonly alias?: string;
  /** Redial index: keys this conversation can be continued by, until when (platform time); or clear them. */
  readonly redial?: { readonly keys: readonly string[]; readonly until: number } | 'clear';
}

/** Read access inside an apply transaction, over the rows the store read for this batch. */
export interface IngestReader {
  conversationFor(platformConversationId: string): ConversationRecord | undefined;
  /** The open conversation a redial key points to, if its window is still open at `at`. */
  findRedial(keys: readonly string[], at: number): ConversationRecord | undefined;
}

/** A fencing token: the mutation is refused unless `epoch` is the lease's current epoch. */
export interface Fence {
  readonly lease: string;
  readonly epoch: number;
}

export interface FactMutation {
  readonly kind: 'fact';
  readonly dedupeKey: string;
  readonly platformConversationId: string;
  /** Platform time of the fact. */
  readonly at: number;
  /** Redial keys the decision may look up (prefetched by stores that must read before deciding). */
  readonly redialKeys: readonly string[];
  readonly fence?: Fence;
  readonly decide: (reader: IngestReader) => IngestPlan;
}

export interface TickMutation {
  readonly kind: 'tick';
  readonly conversationId: string;
  /** Returns undefined when the timer is no longer due (another mutation moved it). */
  readonly decide: (conversation: ConversationRecord) => IngestPlan | undefined;
}

export type Mutation = FactMutation | TickMutation;

export type MutationResult =
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'applied'; readonly plan: IngestPlan }
  /** A tick that found nothing to do, or for a conversation that is gone. */
  | { readonly kind: 'unchanged' }
  /** Refused: its fence is not the lease's current epoch (a deposed holder's socket). */
  | { readonly kind: 'fenced' }
  /** This mutation's decision threw; the others of the batch committed. */
  | { readonly kind: 'failed'; readonly error: Error };

export interface OpenConversation {
  readonly id: string;
  readonly source: string;
  readonly bot: string;
  /** Platform conversation ids feeding it (a redial adds one). */
  readonly platformIds: readonly string[];
  /** Experience as far as known, so an adapter can re-subscribe per-medium topics (voice transcription). */
  readonly experience?: string;
  /** The bridge's clock when it last changed (facts or timers). */
  readonly updatedAt: number;
  /** The bridge's clock when it was first stored. */
  readonly createdAt: number;
}

/** One status write by delivery. Each is checked against the conversation's claim fence. */
export type OutboxUpdate =
  | { readonly id: number; readonly status: 'inflight'; readonly at: number }
  | {
      readonly id: number;
      readonly status: 'done';
      readonly httpStatus: number;
      readonly at: number;
      /** Replace the stored body with PURGED_BODY: a delivered call is never sent again, so its text need not stay. */
      readonly purgeBody?: boolean;
    }
  | {
      readonly id: number;
      readonly status: 'pending';
      readonly nextAttemptAt: number;
      readonly error: string;
      readonly httpStatus?: number;
      readonly at: number;
    }
  | {
      readonly id: number;
      readonly status: 'dead';
      readonly reason: string;
      readonly blocking: boolean;
      readonly httpStatus?: number;
      readonly at: number;
    };

export interface DeliveryClaim {
  readonly conversationId: string;
  readonly fence: number;
}

export interface ClaimedUpdate {
  readonly claim: DeliveryClaim;
  readonly update: OutboxUpdate;
}

export interface StoreStats {
  readonly activeConversations: number;
  readonly oldestActiveAt?: number;
  readonly outboxDepth: number;
  /** Creation time of the oldest row waiting for delivery (pending or in flight). */
  readonly oldestPendingAt?: number;
  readonly deadLetters: number;
}

/** A dead letter removed because it outlived its retention. */
export interface ExpiredDeadLetter {
  readonly id: number;
  readonly conversationId: string;
  readonly label: string;
  readonly event: string;
  readonly blocking: boolean;
  readonly deadSince: number;
  /** A blocking letter's conversation: the calls still queued behind it, removed with it. */
  readonly queuedRemoved: number;
}

/** What `erase` removed, table by table (rows). */
export interface ErasedConversation {
  /** The Agent AI conversation id the rows belonged to (the id given, or the one a redial's platform id maps to). */
  readonly conversationId: string;
  readonly removed: {
    readonly conversations: number;
    readonly facts: number;
    readonly outbox: number;
    readonly aliases: number;
    readonly redialKeys: number;
    readonly claims: number;
  };
  /** The conversation was still open: facts still arriving would start it again. */
  readonly wasOpen: boolean;
}

export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly epoch: number;
  /** On the store's clock (the database's for PostgreSQL). */
  readonly expiresAt: number;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /**
   * True when apply() and record() commit synchronously, in call order, and only then wait for the disk:
   * callers may start the next batch while earlier ones are still being flushed (util/group-commit.ts).
   * A store that leaves it unset gets one batch at a time.
   */
  readonly commitsInCallOrder?: boolean;

  /** One transaction for the batch; results in input order. */
  apply(batch: readonly Mutation[]): Promise<MutationResult[]>;

  /** A conversation by its Agent AI id (read only). */
  conversation(id: string): Promise<ConversationRecord | undefined>;
  /** Conversations not yet closed, oldest first; of one source if given. */
  openConversations(source?: string): Promise<OpenConversation[]>;
  /** Open conversations whose next timer is due at or before `now` (bridge clock), earliest first. */
  dueConversations(now: number, limit: number): Promise<{ id: string; wakeAt: number }[]>;
  /** The earliest pending timer (bridge clock), if any. */
  nextWake(): Promise<number | undefined>;

  // Delivery -------------------------------------------------------------------------------------------
  /**
   * Claims conversations for delivery by this process; returns the claims granted. A claim lasts until
   * released or, on a shared store, until the holder stops renewing it.
   */
  claim(conversationIds: readonly string[]): Promise<DeliveryClaim[]>;
  release(claims: readonly DeliveryClaim[]): Promise<void>;
  /** Conversations with rows ready to send at `now` that no live process holds: the sweep's work. */
  claimable(now: number, limit: number): Promise<string[]>;
  /**
   * The first row of a conversation still in line: pending, in flight, or a blocking dead letter (which
   * holds the rest back). Delivered and non-blocking dead rows are skipped.
   */
  head(conversationId: string): Promise<OutboxRow | undefined>;
  /** Writes delivery marks in one transaction; returns the ids refused because their claim's fence moved on. */
  record(updates: readonly ClaimedUpdate[]): Promise<{ readonly refused: readonly number[] }>;

  deadLetters(): Promise<OutboxRow[]>;
  /** Puts dead letters back in line, in their original order; returns how many. */
  retryDead(id: number | 'all', now: number): Promise<number>;
  dropDead(id: number): Promise<boolean>;
  outboxFor(conversationId: string): Promise<OutboxRow[]>;

  // Leases and cursors ---------------------------------------------------------------------------------
  /** Takes the lease if it is free or expired (a new epoch), or renews it if `holder` has it. */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Gives the lease up so another process can take it at once. */
  releaseLease(name: string, holder: string, epoch: number): Promise<void>;
  /** A durable per-adapter value, e.g. the time of the last frame seen. */
  cursor(name: string): Promise<number | undefined>;
  setCursor(name: string, value: number): Promise<void>;

  // Housekeeping ---------------------------------------------------------------------------------------
  /** Removes up to `limit` conversations closed (bridge clock) before `before`, with their rows. */
  purgeClosed(before: number, limit: number): Promise<number>;
  /**
   * Removes up to `limit` dead letters given up on before `before`, oldest first. A blocking one takes with it
   * the calls queued behind it in its conversation (they would otherwise go out that much later, out of
   * context, and with a gap), so the line stays consistent: nothing of that conversation waits any more.
   */
  expireDeadLetters(before: number, limit: number): Promise<ExpiredDeadLetter[]>;
  /**
   * Removes every row of one conversation (a data-subject request): its state, dedupe keys, hook calls of any
   * status with their bodies, aliases, redial keys and delivery claim. `id` may also be a platform conversation
   * id that a redial routed into a conversation. Undefined when nothing was stored for it.
   */
  erase(id: string): Promise<ErasedConversation | undefined>;
  stats(): Promise<StoreStats>;
  /** Cheap write probe for readiness. */
  writable(): Promise<boolean>;
  close(): Promise<void>;

  /**
   * Wake-up hints from the other processes sharing the store (PostgreSQL LISTEN/NOTIFY): a lease was given
   * up, or delivery claims were. Only a hint, for acting at once instead of at the next poll, which happens
   * anyway. Stores no other process shares leave it out. Returns a function that stops listening.
   */
  onHint?(listener: (hint: StoreHint) => void): () => void;
}

export type StoreHint = 'lease-released' | 'claims-released';
