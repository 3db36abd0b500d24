// After every gap in the socket (facts §1.4: no replay), two passes feed the same diff as the socket:
// 1. every conversation believed active is fetched (GET /api/v2/conversations/{id}): exits and ends that
//    happened in the gap come out of the diff;
// 2. conversations that started in the gap are found with the analytics details query on the followed
//    queues/users, and fetched too. Those that also ended in the gap are delivered only if configured.
// Gaps that arrive while a pass runs are merged into one more pass from the earliest start.
import type { Logger } from 'pino';
import type { GenesysApi } from './api.js';
import { rec } from './records.js';

export interface ReconcilerOptions {
  readonly api: GenesysApi;
  readonly logger: Logger;
  readonly queueIds: () => readonly string[];
  readonly userIds: readonly string[];
  readonly marginMs: number;
  readonly deliverGapConversations: boolean;
  /** Conversations the adapter believes active. */
  readonly activeConversations: () => readonly string[];
  readonly isKnown: (conversationId: string) => boolean;
  /** Feeds one REST conversation body through the diff and on to the sink. */
  readonly apply: (conversation: unknown) => Promise<void>;
}

const MAX_LOOKBACK_MS = 7 * 24 * 3600_000;
const PAGE_SIZE = 100;

export class Reconciler {
  private running: Promise<void> | undefined;
  private pendingSince: number | undefined;
  passes = 0;

  constructor(private readonly o: ReconcilerOptions) {}

  /** Schedules a pass covering events since `since`; resolves when that pass is done. */
  request(since: number): Promise<void> {
    this.pendingSince = Math.min(this.pendingSince ?? Infinity, since);
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once no pass is running (tests, shutdown). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    while (this.pendingSince !== undefined) {
      const since = this.pendingSince;
      this.pendingSince = undefined;
      try {
        await this.pass(since);
      } catch (err) {
        this.o.logger.error({ err }, 'genesys: reconciliation pass failed; events of the gap may be missing');
      }
    }
  }

  private async pass(since: number): Promise<void> {
    this.passes += 1;
    const started = Date.now();
    const from = Math.max(since - this.o.marginMs, started - MAX_LOOKBACK_MS);
    let refreshed = 0;
    for (const id of this.o.activeConversations()) {
      if (await this.fetchAndApply(id)) refreshed += 1;
    }
    let found = 0;
    let skipped = 0;
    for (const c of await this.startedBetween(from, Date.now())) {
      if (this.o.isKnown(c.id)) continue;
      if (c.ended && !this.o.deliverGapConversations) {
        skipped += 1;
        this.o.logger.info({ conversationId: c.id }, 'genesys: conversation started and ended inside the gap; not delivered (GENESYS_DELIVER_GAP_CONVERSATIONS=false)');
        continue;
      }
      if (await this.fetchAndApply(c.id)) found += 1;
    }
    this.o.logger.info({ since: new Date(from).toISOString(), refreshed, found, skipped, ms: Date.now() - started }, 'genesys: reconciled after a gap');
  }

  /** Re-reads one conversation (active or not) through the same diff. */
  refresh(conversationId: string): Promise<boolean> {
    return this.fetchAndApply(conversationId);
  }

  private async fetchAndApply(id: string): Promise<boolean> {
    try {
      const body = await this.o.api.getConversation(id);
      if (body === undefined) return false;
      await this.o.apply(body);
      return true;
    } catch (err) {
      this.o.logger.warn({ err, conversationId: id }, 'genesys: reconciliation could not fetch a conversation');
      return false;
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
