// The sink: delivers outbox rows to Agent AI. One FIFO per conversation (p-queue, concurrency 1) keeps the
// documented order; a global p-queue caps calls in flight across conversations. Retries are scheduled in
// the store (next_attempt_at), not in memory, so a restart resumes them with their attempt counts intact.
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { SendOutcome } from '../agentai/outcome.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import type { OutboxRow, Store } from '../store/types.js';
import { fullJitterDelay } from './backoff.js';

export interface BotCredentials {
  readonly botId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Posts one serialised hooks body. The Agent AI client, or anything that classifies outcomes the same way. */
export interface HookSender {
  send(bot: BotCredentials, bodyJson: string): Promise<SendOutcome>;
}

export interface DeliveryOptions {
  readonly maxInFlight: number;
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly eocOnUnknownOutcome: 'skip' | 'resend';
}

export interface DispatcherDeps {
  readonly store: Store;
  readonly sender: HookSender;
  readonly bots: ReadonlyMap<string, BotCredentials>;
  readonly options: DeliveryOptions;
  readonly logger: Logger;
  readonly metrics?: BridgeMetrics;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Told of every row Agent AI accepted (summary follow-up listens for TRIGGER_SUMMARY_EVENT). */
  readonly onDelivered?: (row: OutboxRow) => void;
}

const UNKNOWN_EOC =
  'outcome unknown: END_OF_CONVERSATION may have reached Agent AI; not resent (DELIVERY_EOC_ON_UNKNOWN_OUTCOME=skip). ' +
  'Check the conversation in Agent AI, then drop or retry this dead letter.';

export class Dispatcher {
  private readonly queues = new Map<string, PQueue>();
  private readonly wakeTimers = new Map<string, NodeJS.Timeout>();
  private readonly limiter: PQueue;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Rows found in flight at start: a previous process stopped mid-request, outcome unknown. */
  private readonly interrupted = new Set<number>();
  private stopped = false;
  /** What this instance did, for summaries (replay, demo); metrics carry the same for Prometheus. */
  readonly counts = { delivered: 0, retried: 0, deadLettered: 0 };
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    this.limiter = new PQueue({ concurrency: deps.options.maxInFlight });
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  /** Picks up everything a previous run left: pending rows and rows that were in flight when it stopped. */
  start(): void {
    for (const id of this.deps.store.conversationsWithPending()) {
      const row = this.deps.store.nextOutbox(id);
      if (row?.status === 'inflight') this.interrupted.add(row.id);
      this.notify(id);
    }
  }

  notify(conversationId: string): void {
    if (this.stopped) return;
    let queue = this.queues.get(conversationId);
    if (!queue) {
      queue = new PQueue({ concurrency: 1 });
      const q = queue;
      q.on('idle', () => {
        if (q.size === 0 && q.pending === 0 && this.queues.get(conversationId) === q) this.queues.delete(conversationId);
        this.checkIdle();
      });
      this.queues.set(conversationId, queue);
    }
    // One waiting run is enough: it reads the store, so it sees every row committed before it starts.
    if (queue.size === 0) void queue.add(() => this.drainConversation(conversationId));
  }

  /** Resolves when no conversation has a deliverable row now and no retry is waiting. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Drains: queued rows keep going out (retries included) until nothing is deliverable or the deadline
   * passes; then it stops. Whatever is left stays in the store for the next start. True if all went out.
   */
  async stop(deadlineMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), deadlineMs);
    });
    const drained = await Promise.race([this.whenIdle().then(() => true as const), deadline]);
    clearTimeout(timer);
    this.stopped = true;
    for (const t of this.wakeTimers.values()) clearTimeout(t);
    this.wakeTimers.clear();
    for (const q of this.queues.values()) q.clear();
    this.checkIdle();
    return drained;
  }

  inFlight(): number {
    return this.limiter.pending;
  }

  private isIdle(): boolean {
    return this.queues.size === 0 && this.wakeTimers.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private scheduleWake(conversationId: string, delayMs: number): void {
    if (this.stopped || this.wakeTimers.has(conversationId)) return;
    const timer = setTimeout(() => {
      this.wakeTimers.delete(conversationId);
      this.notify(conversationId);
    }, Math.max(0, delayMs));
    this.wakeTimers.set(conversationId, timer);
  }

  private async drainConversation(conversationId: string): Promise<void> {
    const { store } = this.deps;
    while (!this.stopped) {
      const row = store.nextOutbox(conversationId);
      if (!row) return;
      const t = this.now();
      if (this.interrupted.delete(row.id) && row.kind === 'end' && this.deps.options.eocOnUnknownOutcome === 'skip') {
        this.deadLetter(row, `${UNKNOWN_EOC} (the bridge stopped while the call was in flight)`, undefined);
        continue;
      }
      if (row.nextAttemptAt > t) {
        this.scheduleWake(conversationId, row.nextAttemptAt - t);
        return;
      }
      if (row.attempts > 0 && t - row.createdAt > this.deps.options.maxAgeMs) {
        this.deadLetter(row, `${row.lastError ?? 'failing'}; gave up after ${Math.round((t - row.createdAt) / 1000)} s (DELIVERY_MAX_AGE_MS)`, row.lastStatus);
        continue;
      }
      const bot = this.deps.bots.get(row.bot);
      if (!bot) {
        this.deadLetter(row, `bot "${row.bot}" is not in the configuration any more`, undefined);
        continue;
      }
      const waitFor = await this.attempt(row, bot);
      if (waitFor !== undefined) {
        this.scheduleWake(conversationId, waitFor);
        return;
      }
    }
  }

  /** One attempt. Returns a delay when the row must wait for a retry, undefined to move on. */
  private async attempt(row: OutboxRow, bot: BotCredentials): Promise<number | undefined> {
    const { store, metrics, logger, options } = this.deps;
    const log = logger.child({ conversationId: row.conversationId, event: row.label, outboxId: row.id });
    store.markAttempt(row.id, this.now());
    const attempt = row.attempts + 1;
    metrics?.inFlight.inc();
    let outcome: SendOutcome;
    try {
      outcome = await this.limiter.add(() => this.deps.sender.send(bot, row.bodyJson));
    } catch (err) {
      // A sender must classify, never throw; if one does, nobody knows whether the body went out.
      outcome = { kind: 'unknown', error: `sender failed: ${(err as Error).message}` };
    } finally {
      metrics?.inFlight.dec();
    }
    const t = this.now();
    const event = row.label.split(' ')[0] === 'message' ? 'message' : row.kind;
    metrics?.hookCalls.inc({ event, status: 'status' in outcome && outcome.status !== undefined ? String(outcome.status) : outcome.kind });

    switch (outcome.kind) {
      case 'ok':
        store.markDone(row.id, outcome.status, t);
        this.counts.delivered += 1;
        this.deps.onDelivered?.(row);
        metrics?.latency.observe({ event }, Math.max(0, t - row.factAt) / 1000);
        log.info({ attempt, status: outcome.status }, `delivered ${row.label}`);
        return undefined;
      case 'permanent':
        this.deadLetter(row, `Agent AI rejected it: ${outcome.error}`, outcome.status);
        return undefined;
      case 'unknown':
        if (row.kind === 'end' && options.eocOnUnknownOutcome === 'skip') {
          this.deadLetter(row, `${UNKNOWN_EOC} (${outcome.error})`, undefined);
          return undefined;
        }
        return this.retryLater(row, attempt, outcome.error, undefined, undefined, log);
      case 'retry':
        return this.retryLater(row, attempt, outcome.error, outcome.status, outcome.retryAfterMs, log);
    }
  }

  private retryLater(
    row: OutboxRow,
    attempt: number,
    error: string,
    status: number | undefined,
    retryAfterMs: number | undefined,
    log: Logger,
  ): number | undefined {
    const { options, store, metrics } = this.deps;
    if (attempt >= options.maxAttempts) {
      this.deadLetter({ ...row, attempts: attempt }, `${error}; gave up after ${attempt} attempts (DELIVERY_MAX_ATTEMPTS)`, status);
      return undefined;
    }
    const delay = retryAfterMs ?? fullJitterDelay(attempt, options.backoffBaseMs, options.backoffMaxMs, this.random);
    store.markRetry(row.id, this.now() + delay, error, status, this.now());
    metrics?.retries.inc({ event: row.kind });
    this.counts.retried += 1;
    log.warn({ attempt, status, retryInMs: delay, error }, `retrying ${row.label}`);
    return delay;
  }

  private deadLetter(row: OutboxRow, reason: string, status: number | undefined): void {
    this.deps.store.markDead(row.id, reason, status, this.now());
    this.deps.metrics?.deadLetters.inc({ event: row.kind });
    this.counts.deadLettered += 1;
    this.deps.logger.error(
      { conversationId: row.conversationId, event: row.label, outboxId: row.id, attempts: row.attempts, status, reason },
      `dead letter: ${row.label}`,
    );
  }
}
