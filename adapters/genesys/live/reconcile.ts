// Catching up with Genesys (facts §1.4: the socket has no replay). A pass feeds REST bodies through the same
// diff as the socket, in two phases:
// 1. every conversation that may still be open is re-read (GET /api/v2/conversations/{id}): those the store
//    holds open for this source (all platform ids of each, so one waiting out its redial window too) and those
//    the adapter believes active; exits and ends that happened unseen come out of the diff;
// 2. conversations that started since `since` are found with the analytics details query on the followed
//    queues/users, and read too (after phase 1, so a redial placed as a new call meets its original's drop).
//    Those that also ended unseen are delivered only if configured.
// Passes run after every start (since the durable last-frame time) and after every socket gap; requests made
// while a pass runs are merged into one more pass from the earliest start. Reads run concurrently within the
// org's API budget (budget.ts); a read that fails is tried again a few times, then left to the stale sweep.
import type { Logger } from 'pino';
import type { GenesysApi } from './api.js';
import { rec } from './records.js';
import { backoffMs, sleep } from './timing.js';

export interface ReconcilerOptions {
  readonly api: GenesysApi;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly queueIds: () => readonly string[];
  readonly userIds: readonly string[];
  readonly marginMs: number;
  readonly deliverGapConversations: boolean;
  /** Platform conversation ids that may still be open: the store's open ones and the adapter's active ones. */
  readonly openConversations: () => Promise<readonly string[]>;
  readonly isKnown: (conversationId: string) => boolean;
  /** Feeds one REST conversation body through the diff and on to the sink; resolves once it is stored. */
  readonly apply: (conversation: unknown) => Promise<void>;
  /** Around each re-read: the conversation's timers wait while it is being re-read. */
  readonly rereading: (conversationId: string) => void;
  readonly reread: (conversationId: string) => void;
  readonly onReconciled?: (reason: string, count: number) => void;
  readonly readAttempts?: number;
}

const MAX_LOOKBACK_MS = 7 * 24 * 3600_000;
const PAGE_SIZE = 100;

export class Reconciler {
  private running: Promise<void> | undefined;
  /** Earliest start of the pending request; null: a pass with no discovery (first start ever). */
  private pendingSince: number | null | undefined;
  private pendingReasons = new Set<string>();
  passes = 0;

  constructor(private readonly o: ReconcilerOptions) {}

  /**
   * Schedules a pass covering events since `since` (null: re-read open conversations only); resolves when a
   * pass that covers it has finished, rejects if that pass failed (the caller decides whether to ask again).
   */
  request(since: number | null, reason: string): Promise<void> {
    this.pendingSince = since === null ? (this.pendingSince ?? null) : Math.min(this.pendingSince ?? Infinity, since);
    this.pendingReasons.add(reason);
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Whether a pass is running or queued. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves once no pass is running (tests, shutdown). */
  idle(): Promise<void> {
    return (this.running ?? Promise.resolve()).catch(() => undefined);
  }

  private async loop(): Promise<void> {
    let failure: unknown;
    while (this.pendingSince !== undefined) {
      const since = this.pendingSince;
      const reasons = [...this.pendingReasons].join(', ');
      this.pendingSince = undefined;
      this.pendingReasons = new Set();
      try {
        await this.pass(since, reasons);
        failure = undefined;
      } catch (err) {
        failure = err;
        this.o.logger.error({ err, reasons, event: 'genesys.reconcile_failed' }, 'genesys: reconciliation pass failed');
      }
    }
    if (failure !== undefined) throw failure;
  }

  private async pass(since: number | null, reasons: string): Promise<void> {
    this.passes += 1;
    const started = Date.now();
    const openIds = new Set(await this.o.openConversations());
    const open = [...openIds];
    const refreshed = (await Promise.all(open.map((id) => this.fetchAndApply(id)))).filter(Boolean).length;
    let found = 0;
    let skipped = 0;
    if (since !== null) {
      const from = Math.max(since - this.o.marginMs, started - MAX_LOOKBACK_MS);
      const fresh: string[] = [];
      for (const c of await this.startedBetween(from, Date.now())) {
        if (this.o.isKnown(c.id) || openIds.has(c.id)) continue;
        if (c.ended && !this.o.deliverGapConversations) {
          skipped += 1;
          this.o.logger.info({ conversationId: c.id, event: 'genesys.gap_conversation_skipped' }, 'genesys: conversation started and ended inside the gap (or while the bridge was down); not delivered (GENESYS_DELIVER_GAP_CONVERSATIONS=false)');
          continue;
        }
        fresh.push(c.id);
      }
      found = (await Promise.all(fresh.map((id) => this.fetchAndApply(id)))).filter(Boolean).length;
    }
    this.o.onReconciled?.(reasons, refreshed + found);
    this.o.logger.info(
      { reasons, since: since === null ? undefined : new Date(since).toISOString(), refreshed, found, skipped, ms: Date.now() - started, event: 'genesys.reconciled' },
      'genesys: reconciled after a gap',
    );
  }

  /** Re-reads one conversation (active or not) through the same diff. */
  refresh(conversationId: string): Promise<boolean> {
    return this.fetchAndApply(conversationId);
  }

  private async fetchAndApply(id: string): Promise<boolean> {
    this.o.rereading(id);
    try {
      const attempts = this.o.readAttempts ?? 3;
      for (let attempt = 1; ; attempt += 1) {
        try {
          const body = await this.o.api.getConversation(id);
          if (body === undefined) {
            this.o.logger.warn({ conversationId: id, event: 'genesys.conversation_not_found' }, 'genesys: conversation not found (404) when re-read; if the store holds it open it stays so (agentai-bridge conversations --open)');
            return false;
          }
          await this.o.apply(body);
          return true;
        } catch (err) {
          if (this.o.signal.aborted) return false;
          if (attempt >= attempts) {
            this.o.logger.warn({ err, conversationId: id, attempts, event: 'genesys.reread_failed' }, 'genesys: reconciliation could not re-read a conversation; the stale sweep tries again');
            return false;
          }
          await sleep(backoffMs(attempt, 500, 10_000), this.o.signal).catch(() => undefined);
        }
      }
    } finally {
      this.o.reread(id);
    }
  }

  private async startedBetween(from: number, to: number): Promise<{ id: string; ended: boolean }[]> {
    const predicates = [
      ...this.o.queueIds().map((q) => ({ type: 'dimension', dimension: 'queueId', operator: 'matches', value: q })),
      ...this.o.userIds.map((u) => ({ type: 'dimension', dimension: 'userId', operator: 'matches', value: u })),
    ];
    if (predicates.length === 0) return [];
    const out: { id: string; ended: boolean }[] = [];
    for (let page = 1; ; page += 1) {
      const body = rec(
        await this.o.api.conversationDetailsQuery({
          interval: `${new Date(from).toISOString()}/${new Date(to).toISOString()}`,
          order: 'asc',
          orderBy: 'conversationStart',
          segmentFilters: [{ type: 'or', predicates }],
          paging: { pageSize: PAGE_SIZE, pageNumber: page },
        }),
      );
      const conversations = Array.isArray(body.conversations) ? body.conversations : [];
      for (const c of conversations) {
        const id = rec(c).conversationId;
        if (typeof id === 'string') out.push({ id, ended: typeof rec(c).conversationEnd === 'string' });
      }
      const total = typeof body.totalHits === 'number' ? body.totalHits : undefined;
      if (conversations.length < PAGE_SIZE || (total !== undefined && page * PAGE_SIZE >= total)) return out;
    }
  }
}
