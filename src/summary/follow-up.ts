// Closes the loop on summaries. When delivery reports a TRIGGER_SUMMARY_EVENT as accepted, the follow-up
// records (durably, summary-store.ts) that a summary is awaited, polls Conversation Details with backoff until
// the summary is there or the deadline passes, then writes it to the platform through a SummaryWriter (the
// last agent's participant), idempotently. A restart resumes every open row from the store.
import type { Logger } from 'pino';
import type { BotCredentials } from '../agentai/client.js';
import type { ConversationDetails } from '../agentai/details-schema.js';
import { DetailsError } from '../agentai/summary-client.js';
import type { ConversationRecord, OutboxRow, Store } from '../store/types.js';
import type { FollowUpRecord, FollowUpStatus, SummaryStore } from './summary-store.js';
import { SummaryWriteError, type SummaryWriter } from './writer.js';
import { proportionalJitterDelay } from '../util/backoff.js';

export type WriteBackMode = 'none' | 'attribute' | 'wrapup' | 'both';

export interface SummaryFollowUpOptions {
  /** config summary.poll: off means onDelivered ignores everything. */
  readonly poll: boolean;
  readonly pollDeadlineMs: number;
  readonly pollInitialDelayMs: number;
  readonly pollBackoffMaxMs: number;
  readonly writeBack: WriteBackMode;
  readonly writeMaxAttempts: number;
  /** lang for Conversation Details; empty or undefined: not sent. */
  readonly language?: string;
}

/** What the follow-up needs of the details client (ConversationDetailsClient fits). */
export interface SummarySource {
  summary(bot: BotCredentials, conversationId: string, lang?: string): Promise<{ text: string | undefined; details: ConversationDetails }>;
}

export interface SummaryFollowUpDeps {
  readonly store: SummaryStore;
  readonly source: SummarySource;
  /** Bots by name (the conversation record's `bot` column). */
  readonly bots: ReadonlyMap<string, BotCredentials>;
  /** Writers by conversation source ('genesys'); a source without one keeps the summary in the store only. */
  readonly writers: ReadonlyMap<string, SummaryWriter>;
  /** The conversation record of an Agent AI conversation id; see `conversationLookup(store)`. */
  readonly lookup: (conversationId: string) => Promise<ConversationRecord | undefined>;
  readonly options: SummaryFollowUpOptions;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Reads a conversation record through the core store's interface (a tick that decides nothing writes nothing). */
export function conversationLookup(store: Store): (conversationId: string) => Promise<ConversationRecord | undefined> {
  return (conversationId) => store.conversation(conversationId);
}

/** setTimeout's ceiling (about 24.8 days); later wake-ups are re-armed when they fire. */
const MAX_TIMER_MS = 2_147_483_647;

export class SummaryFollowUp {
  readonly #deps: SummaryFollowUpDeps;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Map<string, Promise<void>>();
  #stopped = false;
  /** What this instance did (tests, status). */
  readonly counts = { awaited: 0, fetched: 0, written: 0, unchanged: 0, expired: 0, failed: 0 };

  constructor(deps: SummaryFollowUpDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /** Resumes every follow-up a previous run left open. */
  start(): void {
    void this.#deps.store
      .open()
      .then((records) => {
        for (const record of records) this.#schedule(record.conversationId, record.nextAt);
      })
      .catch((err: unknown) => this.#deps.logger.error({ err, event: 'summary.load_failed' }, 'could not read the open summary follow-ups; they resume at the next start'));
  }

  /** The Dispatcher's onDelivered hook. Never throws: a follow-up problem must not disturb delivery. */
  onDelivered(row: OutboxRow): void {
    if (row.kind !== 'summary' || !this.#deps.options.poll || this.#stopped) return;
    void this.#awaitSummary(row);
  }

  async #awaitSummary(row: OutboxRow): Promise<void> {
    try {
      const record = await this.#deps.lookup(row.conversationId);
      const now = this.#now();
      const platformIds = record ? platformIdsOf(record) : [row.conversationId];
      const agentIdentity = record?.state.lastAgent?.identity;
      const added = await this.#deps.store.add(
        {
          conversationId: row.conversationId,
          bot: row.bot,
          source: record?.source ?? 'unknown',
          platformIds,
          ...(agentIdentity !== undefined ? { agentIdentity } : {}),
          nextAt: now + this.#deps.options.pollInitialDelayMs,
          deadlineAt: now + this.#deps.options.pollDeadlineMs,
        },
        now,
      );
      if (!added) return; // the trigger was delivered before (a retried dead letter): one follow-up is enough
      this.counts.awaited += 1;
      this.#deps.logger.info({ conversationId: row.conversationId, bot: row.bot, agentIdentity, event: 'summary.awaited' }, 'summary awaited: polling Conversation Details');
      this.#schedule(row.conversationId, now + this.#deps.options.pollInitialDelayMs);
    } catch (err) {
      this.#deps.logger.error({ err, conversationId: row.conversationId, event: 'summary.record_failed' }, 'could not record the summary follow-up');
    }
  }

  /** Runs one conversation's follow-up step now (tests, and the CLI's "poll once"). */
  async runNow(conversationId: string): Promise<FollowUpRecord | undefined> {
    this.#clear(conversationId);
    await this.#run(conversationId, true);
    return await this.#deps.store.get(conversationId);
  }

  /** Resolves when nothing is scheduled or running (tests). */
  async idle(): Promise<void> {
    while (this.#timers.size > 0 || this.#running.size > 0) {
      await Promise.all([...this.#running.values()]);
      if (this.#timers.size > 0) await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops scheduling; waits for steps in progress. Open rows are resumed by the next start(). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.all([...this.#running.values()]);
  }

  #schedule(conversationId: string, at: number): void {
    if (this.#stopped) return;
    this.#clear(conversationId);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.#now()));
    const timer = setTimeout(() => {
      this.#timers.delete(conversationId);
      void this.#run(conversationId);
    }, delay);
    timer.unref();
    this.#timers.set(conversationId, timer);
  }

  #clear(conversationId: string): void {
    const t = this.#timers.get(conversationId);
    if (t) clearTimeout(t);
    this.#timers.delete(conversationId);
  }

  #run(conversationId: string, force = false): Promise<void> {
    const running = this.#running.get(conversationId);
    if (running) return running;
    const step = this.#step(conversationId, force)
      .catch((err: unknown) => {
        this.#deps.logger.error({ err, conversationId, event: 'summary.step_failed' }, 'summary follow-up step failed; retrying later');
        if (!this.#stopped) this.#schedule(conversationId, this.#now() + this.#deps.options.pollBackoffMaxMs);
      })
      .finally(() => this.#running.delete(conversationId));
    this.#running.set(conversationId, step);
    return step;
  }

  async #step(conversationId: string, force: boolean): Promise<void> {
    const record = await this.#deps.store.get(conversationId);
    if (!record) return;
    // A timer that fired early (or was capped at MAX_TIMER_MS) waits for the rest.
    if (!force && record.nextAt > this.#now() + 5) return this.#schedule(conversationId, record.nextAt);
    if (record.status === 'polling') return this.#poll(record);
    if (record.status === 'writing') return this.#write(record);
  }

  async #poll(record: FollowUpRecord): Promise<void> {
    const { store, logger, options } = this.#deps;
    const id = record.conversationId;
    if (this.#now() > record.deadlineAt) return this.#finish(record, 'expired', `no summary within ${options.pollDeadlineMs} ms`);
    const bot = this.#deps.bots.get(record.bot);
    if (!bot) return this.#finish(record, 'failed', `bot "${record.bot}" is not configured`);

    let text: string | undefined;
    let time: string | undefined;
    let pollError: string | undefined;
    try {
      const answer = await this.#deps.source.summary(bot, id, options.language || undefined);
      text = answer.text;
      time = answer.details.summary?.time ?? undefined;
    } catch (err) {
      // 404: Agent AI may not know the conversation yet; retryable: 429/5xx/transport. Both: poll again.
      const keepPolling = err instanceof DetailsError ? err.retryable || err.status === 404 : true;
      const message = err instanceof Error ? err.message : String(err);
      if (!keepPolling) return this.#finish(record, 'failed', message);
      pollError = message;
      logger.warn({ conversationId: id, err: message, event: 'summary.poll_failed' }, 'summary poll failed; polling again');
    }

    const now = this.#now();
    if (text === undefined) {
      const next = this.#nextPoll(record, now);
      if (next === undefined) return this.#finish(record, 'expired', pollError ?? `no summary within ${options.pollDeadlineMs} ms`);
      await store.pollAgain(id, next, pollError, now);
      this.#schedule(id, next);
      return;
    }

    this.counts.fetched += 1;
    const skip = this.#whyNotWrite(record);
    await store.summaryFetched(id, text, time, skip ? 'stored' : 'writing', now);
    logger.info({ conversationId: id, chars: text.length, event: 'summary.fetched' }, 'summary fetched');
    if (skip) return this.#finish(record, 'stored', skip);
    const fetched = await store.get(id);
    if (fetched) await this.#write(fetched);
  }

  async #write(record: FollowUpRecord): Promise<void> {
    const { store, logger, options } = this.#deps;
    const id = record.conversationId;
    const writer = this.#deps.writers.get(record.source);
    const summary = record.summary;
    if (!writer || summary === undefined || record.agentIdentity === undefined) {
      return this.#finish(record, 'stored', this.#whyNotWrite(record) ?? 'nothing to write');
    }
    const notFound: string[] = [];
    for (const platformConversationId of record.platformIds) {
      try {
        const result = await writer.write({ platformConversationId, agentIdentity: record.agentIdentity, summary });
        logger.info({ conversationId: id, platformConversationId, agentIdentity: record.agentIdentity, result, event: 'summary.written_back' }, `summary write-back ${result}`);
        return this.#finish(record, result, undefined);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof SummaryWriteError && err.notFound) {
          notFound.push(`${platformConversationId}: ${message}`);
          continue;
        }
        const retryable = err instanceof SummaryWriteError ? err.retryable : true;
        if (!retryable) return this.#finish(record, 'failed', message);
        if (record.writeAttempts + 1 >= options.writeMaxAttempts) {
          return this.#finish(record, 'failed', `${message} (gave up after ${record.writeAttempts + 1} write attempts)`);
        }
        const now = this.#now();
        const next = now + this.#backoff(record.writeAttempts + 1);
        await store.writeAgain(id, next, message, now);
        logger.warn({ conversationId: id, platformConversationId, err: message, next: new Date(next).toISOString(), event: 'summary.write_back_failed' }, 'summary write-back failed; retrying');
        this.#schedule(id, next);
        return;
      }
    }
    return this.#finish(record, 'failed', `the agent ${record.agentIdentity} has no participant to write to (${notFound.join('; ')})`);
  }

  #whyNotWrite(record: FollowUpRecord): string | undefined {
    if (this.#deps.options.writeBack === 'none') return 'write-back is off (SUMMARY_WRITE_BACK=none)';
    if (!this.#deps.writers.has(record.source)) return `no summary writer for source "${record.source}"`;
    if (record.agentIdentity === undefined) return 'no last agent recorded for this conversation';
    return undefined;
  }

  async #finish(record: FollowUpRecord, status: FollowUpStatus, error: string | undefined): Promise<void> {
    await this.#deps.store.finish(record.conversationId, status, error, this.#now());
    if (status in this.counts) this.counts[status as keyof typeof this.counts] += 1;
    const level = status === 'failed' || status === 'expired' ? 'warn' : 'info';
    this.#deps.logger[level]({ conversationId: record.conversationId, status, reason: error, event: 'summary.finished' }, `summary follow-up ${status}`);
  }

  /** Next poll time, or undefined when the deadline has passed. The last poll lands on the deadline itself. */
  #nextPoll(record: FollowUpRecord, now: number): number | undefined {
    if (now >= record.deadlineAt) return undefined;
    return Math.min(record.deadlineAt, now + this.#backoff(record.polls + 1));
  }

  /** initial * 2^(n-1), capped, with ±20% jitter so a burst of conversations spreads out. */
  #backoff(n: number): number {
    const { pollInitialDelayMs, pollBackoffMaxMs } = this.#deps.options;
    return proportionalJitterDelay(n, Math.max(1, pollInitialDelayMs), pollBackoffMaxMs, this.#random);
  }
}

/** Platform conversations to try for the write-back: the newest first (a redial's new call), then the first. */
function platformIdsOf(record: ConversationRecord): string[] {
  const ids = Object.keys(record.state.platforms).reverse();
  if (!ids.includes(record.id)) ids.push(record.id);
  return ids;
}
