// The sink: delivers outbox rows to Agent AI. One runner per conversation keeps the documented order (a call
// never overtakes one still being retried, nor a dead letter that holds its conversation back); a global
// limiter caps calls in flight; a circuit per Agent AI host pauses delivery while the host is down instead of
// burning attempts. Retries are scheduled in the store (next_attempt_at), so a restart resumes them with their
// attempt counts intact. A call is marked in flight only once it has a delivery slot, right before its request
// is written, so a crash while it waited cannot turn it into an "outcome unknown".
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Completion, OutboxCompleter } from '../core/adapter.js';
import type { BotCredentials } from '../agentai/client.js';
import type { SendOutcome } from '../agentai/outcome.js';
import { statusLabel, type BridgeMetrics } from '../observability/metrics.js';
import type { ClaimedUpdate, DeliveryClaim, OutboxRow, OutboxUpdate, Store } from '../store/types.js';
import { fullJitterDelay } from '../util/backoff.js';
import { Circuit, type CircuitOptions } from './circuit.js';
import { MarkBatcher } from './marks.js';
import { errorFields } from '../errors.js';
import { realTimers, type Timers } from '../util/timers.js';

export type { BotCredentials };

/** Posts one serialised hooks body. The Agent AI client, or anything that classifies outcomes the same way. */
/** Conversations a sweep starts per turn of the event loop. */
const SWEEP_CHUNK = 64;

export interface HookSender {
  /** The Agent AI host the calls go to: one circuit per host. */
  readonly host?: string;
  send(bot: BotCredentials, bodyJson: string): Promise<SendOutcome>;
}

export interface DeliveryOptions {
  readonly maxInFlight: number;
  /** Attempts before a transient failure is given up on; 0: no limit, DELIVERY_MAX_AGE_MS decides. */
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly eocOnUnknownOutcome: 'skip' | 'resend';
  readonly circuit: CircuitOptions;
  /**
   * Clear a call's stored body in the same write that marks it delivered (BRIDGE_PURGE_DELIVERED_BODIES). Only
   * a delivered call is purged: it is never sent again, while pending, in-flight and dead ones keep theirs for
   * the next attempt, the resend after a restart, or `dead-letters retry`.
   */
  readonly purgeDeliveredBodies?: boolean;
}

export interface DispatcherDeps {
  readonly store: Store;
  readonly sender: HookSender;
  readonly bots: ReadonlyMap<string, BotCredentials>;
  readonly options: DeliveryOptions;
  readonly logger: Logger;
  readonly metrics?: BridgeMetrics;
  readonly now?: () => number;
  readonly timers?: Timers;
  readonly random?: () => number;
  /** Per source: fills in at send time what its facts could not carry (names, message text). */
  readonly completers?: ReadonlyMap<string, OutboxCompleter>;
  /** Told of every row Agent AI accepted (summary follow-up listens for TRIGGER_SUMMARY_EVENT). */
  readonly onDelivered?: (row: OutboxRow) => void;
}

const UNKNOWN_EOC =
  'outcome unknown: END_OF_CONVERSATION may have reached Agent AI; not resent (DELIVERY_EOC_ON_UNKNOWN_OUTCOME=skip). ' +
  'Check the conversation in Agent AI, then drop or retry this dead letter.';

/** How long a runner waits before trying again after the store failed under it. */
const STORE_RETRY_BASE_MS = 250;
const STORE_RETRY_MAX_MS = 30_000;

type Step = 'next' | 'stop';

/** Why a call was given up on: the `reason` label of bridge_dead_letters_total. */
export type DeadLetterCause = 'rejected' | 'unknown-outcome' | 'max-age' | 'max-attempts' | 'unknown-bot' | 'incomplete';

interface DeadLetterDecision {
  readonly cause: DeadLetterCause;
  readonly reason: string;
  readonly status?: number | undefined;
  /** Holds the rest of the conversation back until an operator retries or drops it. */
  readonly blocking: boolean;
  readonly attempts: number;
}

/** A dead letter as /status shows it. */
interface DeadLetterNote {
  readonly outboxId: number;
  readonly conversationId: string;
  readonly label: string;
  readonly cause: DeadLetterCause;
  readonly reason: string;
  readonly attempts: number;
  readonly blocking: boolean;
  readonly at: string;
}

/** Dead letters this process made, newest first, shown on /status. */
const RECENT_DEAD_LETTERS = 20;

export class Dispatcher {
  private readonly runners = new Map<string, Promise<void>>();
  /** A runner is asked to look again once it finishes (new rows arrived while it ran). */
  private readonly again = new Set<string>();
  private readonly wakeTimers = new Map<string, unknown>();
  /** Conversations waiting for a circuit to let calls through. */
  private readonly parked = new Set<string>();
  private readonly claims = new Map<string, DeliveryClaim>();
  private readonly storeFailures = new Map<string, number>();
  /** Conversations held back by a dead letter, logged once each. */
  private readonly blocked = new Set<string>();
  private readonly limiter: PQueue;
  private readonly marks: MarkBatcher;
  private readonly circuit: Circuit;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly random: () => number;
  private probeTimer: unknown;
  private stopped = false;
  /** What this instance did, for summaries (replay, demo); metrics carry the same for Prometheus. */
  readonly counts = { delivered: 0, retried: 0, deadLettered: 0 };
  private readonly recentDeadLetters: DeadLetterNote[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: DispatcherDeps) {
    this.limiter = new PQueue({ concurrency: deps.options.maxInFlight });
    this.marks = new MarkBatcher(deps.store);
    this.now = deps.now ?? Date.now;
    this.timers = deps.timers ?? realTimers;
    this.random = deps.random ?? Math.random;
    this.circuit = new Circuit(deps.sender.host ?? 'agentai', deps.options.circuit);
    this.reportCircuit();
  }

  /** Picks up everything a previous run (or a dead replica) left: pending rows and rows left in flight. */
  async start(): Promise<void> {
    await this.sweep();
  }

  /** Finds conversations with rows ready to go that nobody is delivering, and delivers them. */
  async sweep(): Promise<number> {
    if (this.stopped) return 0;
    const ids = await this.deps.store.claimable(this.now(), 10_000);
    for (let i = 0; i < ids.length && !this.stopped; i += SWEEP_CHUNK) {
      // Each conversation started claims and reads its head at once (the store answers synchronously): after a
      // restart on a large backlog, starting them all in one go held the first call back until every one had
      // been read. A turn of the event loop between chunks lets the first calls' marks commit and go out.
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (const id of ids.slice(i, i + SWEEP_CHUNK)) if (!this.runners.has(id) && !this.wakeTimers.has(id) && !this.parked.has(id)) this.notify(id);
    }
    return ids.length;
  }

  notify(conversationId: string): void {
    if (this.stopped) return;
    if (this.runners.has(conversationId)) {
      this.again.add(conversationId);
      return;
    }
    const timer = this.wakeTimers.get(conversationId);
    if (timer !== undefined) {
      this.timers.clearTimeout(timer);
      this.wakeTimers.delete(conversationId);
    }
    const run = this.run(conversationId).finally(() => {
      this.runners.delete(conversationId);
      if (this.again.delete(conversationId)) this.notify(conversationId);
      else this.checkIdle();
    });
    this.runners.set(conversationId, run);
  }

  /** Resolves when no conversation has a deliverable row now and no retry is waiting. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves when no conversation is being worked on right now; retries and probes may still wait on their
   * timers. With injected timers this is how a test (or a replay) knows a step of time has played out.
   */
  async whenQuiet(): Promise<void> {
    while (this.runners.size > 0) await Promise.allSettled([...this.runners.values()]);
    await this.marks.idle();
  }

  /**
   * Drains: queued rows keep going out (retries included) until nothing is deliverable or the deadline
   * passes; then it stops. Whatever is left stays in the store for the next start. True if all went out.
   */
  async stop(deadlineMs: number): Promise<boolean> {
    let timer: unknown;
    const deadline = new Promise<false>((resolve) => {
      timer = this.timers.setTimeout(() => resolve(false), deadlineMs);
    });
    const drained = await Promise.race([this.whenIdle().then(() => true as const), deadline]);
    this.timers.clearTimeout(timer);
    this.stopped = true;
    for (const t of this.wakeTimers.values()) this.timers.clearTimeout(t);
    this.wakeTimers.clear();
    if (this.probeTimer !== undefined) this.timers.clearTimeout(this.probeTimer);
    this.parked.clear();
    // Calls already on the wire finish (their outcome is recorded); nothing new starts.
    // The grace timer is cleared once the calls settle: left armed, it kept a finished `replay` alive 5 s.
    let grace: unknown;
    await Promise.race([Promise.allSettled([...this.runners.values()]), new Promise<void>((resolve) => (grace = this.timers.setTimeout(() => resolve(), 5_000)))]);
    this.timers.clearTimeout(grace);
    await this.marks.idle().catch(() => undefined);
    const held = [...this.claims.values()];
    this.claims.clear();
    await this.deps.store.release(held).catch(() => undefined);
    this.checkIdle();
    return drained;
  }

  inFlight(): number {
    return this.limiter.pending;
  }

  status(): Record<string, unknown> {
    return {
      inFlight: this.limiter.pending,
      waitingForSlot: this.limiter.size,
      circuit: this.circuit.status(),
      paused: this.parked.size,
      heldByDeadLetter: this.blocked.size,
      retrying: this.wakeTimers.size,
      counts: this.counts,
      recentDeadLetters: this.recentDeadLetters,
    };
  }

  private isIdle(): boolean {
    return this.runners.size === 0 && this.wakeTimers.size === 0 && this.parked.size === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private scheduleWake(conversationId: string, delayMs: number): void {
    if (this.stopped || this.wakeTimers.has(conversationId)) return;
    const timer = this.timers.setTimeout(() => {
      this.wakeTimers.delete(conversationId);
      this.notify(conversationId);
    }, Math.max(0, delayMs));
    this.wakeTimers.set(conversationId, timer);
  }

  private async run(conversationId: string): Promise<void> {
    try {
      if (!(await this.holdClaim(conversationId))) return;
      while (!this.stopped && (await this.step(conversationId)) === 'next') {
        // one row done; look at the next
      }
      this.storeFailures.delete(conversationId);
    } catch (err) {
      // The store failed under us (SQLITE_BUSY, disk full, database gone): nothing is lost, the rows are
      // still there; try this conversation again later rather than take the daemon down.
      const n = (this.storeFailures.get(conversationId) ?? 0) + 1;
      this.storeFailures.set(conversationId, n);
      const delay = fullJitterDelay(n, STORE_RETRY_BASE_MS, STORE_RETRY_MAX_MS, this.random) + STORE_RETRY_BASE_MS;
      this.deps.logger.error(
        { conversationId, ...errorFields(err), retryInMs: delay, event: 'delivery.store_failed' },
        'delivery: the store failed; this conversation is tried again shortly',
      );
      this.scheduleWake(conversationId, delay);
    }
  }

  private async holdClaim(conversationId: string): Promise<boolean> {
    if (this.claims.has(conversationId)) return true;
    const [claim] = await this.deps.store.claim([conversationId]);
    if (!claim) return false;
    this.claims.set(conversationId, claim);
    return true;
  }

  private async write(row: OutboxRow, update: OutboxUpdate): Promise<boolean> {
    const claim = this.claims.get(row.conversationId) ?? { conversationId: row.conversationId, fence: 0 };
    const accepted = update.status === 'inflight' ? await this.marks.write({ claim, update }) : await this.keepOutcome(row, { claim, update });
    if (!accepted) {
      this.claims.delete(row.conversationId);
      this.deps.logger.warn({ conversationId: row.conversationId, outboxId: row.id, event: 'delivery.claim_lost' }, 'delivery: another replica took this conversation over');
    }
    return accepted;
  }

  /**
   * Writes a mark that records what happened to a call, trying until the store takes it. Only this process
   * knows what Agent AI answered: a row left in flight would be taken for "outcome unknown" by the next pass
   * (an accepted END_OF_CONVERSATION dead-lettered, a delivered message sent again).
   */
  private async keepOutcome(row: OutboxRow, update: ClaimedUpdate): Promise<boolean> {
    for (let n = 1; ; n += 1) {
      try {
        return await this.marks.write(update);
      } catch (err) {
        if (this.stopped) throw err;
        const delay = fullJitterDelay(n, STORE_RETRY_BASE_MS, STORE_RETRY_MAX_MS, this.random) + STORE_RETRY_BASE_MS;
        this.deps.logger.error(
          { conversationId: row.conversationId, outboxId: row.id, mark: update.update.status, ...errorFields(err), retryInMs: delay, event: 'delivery.mark_failed' },
          `delivery: the store did not take the outcome of ${row.label}; trying again`,
        );
        await new Promise<void>((resolve) => this.timers.setTimeout(resolve, delay));
      }
    }
  }

  /** One row: send it, or decide why it cannot go now. */
  private async step(conversationId: string): Promise<Step> {
    const { store, options } = this.deps;
    const row = await store.head(conversationId);
    if (!row) {
      const claim = this.claims.get(conversationId);
      this.claims.delete(conversationId);
      if (claim) await store.release([claim]);
      return 'stop';
    }
    if (row.status === 'dead') {
      if (!this.blocked.has(conversationId)) {
        this.blocked.add(conversationId);
        this.deps.logger.warn(
          { conversationId, outboxId: row.id, hookEvent: row.event, event: 'delivery.held_by_dead_letter' },
          `delivery: ${row.label} is a dead letter; the calls behind it wait until it is retried or dropped (agentai-bridge dead-letters)`,
        );
      }
      return 'stop';
    }
    this.blocked.delete(conversationId);
    const t = this.now();
    if (row.status === 'inflight') {
      // Left in flight by a process that stopped mid-request (or a replica that died): outcome unknown.
      if (row.kind === 'end' && options.eocOnUnknownOutcome === 'skip') {
        return (await this.deadLetter(row, { cause: 'unknown-outcome', reason: `${UNKNOWN_EOC} (the bridge stopped while the call was in flight)`, blocking: false, attempts: row.attempts })) ? 'next' : 'stop';
      }
      // At least once: Agent AI may see this call twice. Said at warn so an operator can match a duplicate.
      this.deps.logger.warn(
        { conversationId, outboxId: row.id, hookEvent: row.event, attempts: row.attempts, event: 'delivery.resend_interrupted' },
        `resending ${row.label}: it was in flight when the bridge stopped, outcome unknown`,
      );
    } else if (row.nextAttemptAt > t) {
      this.scheduleWake(conversationId, row.nextAttemptAt - t);
      return 'stop';
    }
    const bot = this.deps.bots.get(row.bot);
    if (!bot) {
      return (await this.deadLetter(row, { cause: 'unknown-bot', reason: `bot "${row.bot}" is not in the configuration any more`, blocking: true, attempts: row.attempts })) ? 'next' : 'stop';
    }
    const bodyJson = await this.complete(row, t);
    if (bodyJson === 'waiting') return 'stop';
    if (bodyJson === 'gave-up') return 'next';

    const permission = this.circuit.permit(t);
    if (permission.kind === 'wait') {
      this.park(conversationId, permission.untilMs - t);
      return 'stop';
    }
    // A probe turns the circuit half-open: the gauge says so while it is out.
    if (permission.probe) this.reportCircuit();
    return this.attempt(row, bot, bodyJson, permission.probe);
  }

  /** The body to send, after the source's completer filled it in; or why it cannot go now. */
  private async complete(row: OutboxRow, t: number): Promise<string | 'waiting' | 'gave-up'> {
    const completer = this.deps.completers?.get(row.source);
    if (!completer) {
      if (row.ref === undefined) return row.bodyJson;
      // Never send a body whose text was left to fetch: say why, and let the conversation go on.
      const reason = `nothing fills in this call for source "${row.source}" (reference ${row.ref})`;
      return (await this.deadLetter(row, { cause: 'incomplete', reason, blocking: false, attempts: row.attempts })) ? 'gave-up' : 'waiting';
    }
    const c = await completer
      .complete({ conversationId: row.conversationId, kind: row.kind, bodyJson: row.bodyJson, queuedAt: row.createdAt, ...(row.ref ? { ref: row.ref } : {}) })
      .catch((err: unknown): Completion => ({ kind: 'retry', error: `completer failed: ${err instanceof Error ? err.message : String(err)}` }));
    switch (c.kind) {
      case 'ready':
        return c.bodyJson;
      case 'retry': {
        const delay = c.retryInMs ?? fullJitterDelay(row.attempts + 1, this.deps.options.backoffBaseMs, this.deps.options.backoffMaxMs, this.random);
        if (!(await this.write(row, { id: row.id, status: 'pending', nextAttemptAt: t + delay, error: c.error, at: t }))) return 'waiting';
        this.deps.logger.warn(
          { conversationId: row.conversationId, outboxId: row.id, hookEvent: row.event, retryInMs: delay, error: c.error, event: 'delivery.completion_retry' },
          `waiting to complete ${row.label}: ${c.error}`,
        );
        this.scheduleWake(row.conversationId, delay);
        return 'waiting';
      }
      case 'give-up':
        return (await this.deadLetter(row, { cause: 'incomplete', reason: c.reason, blocking: false, attempts: row.attempts })) ? 'gave-up' : 'waiting';
    }
  }

  private park(conversationId: string, probeInMs: number): void {
    this.parked.add(conversationId);
    // While a probe is out its outcome arms the next one (or unparks everybody): a timer now would only wake a
    // parked conversation every millisecond, for as long as the probe takes, to be told to wait again.
    if (!this.circuit.probeOut) this.armProbe(probeInMs);
  }

  private armProbe(probeInMs: number): void {
    if (this.probeTimer !== undefined || this.stopped) return;
    this.probeTimer = this.timers.setTimeout(() => {
      this.probeTimer = undefined;
      // One parked conversation carries the probe; the rest stay parked until the circuit closes.
      const first = this.parked.values().next();
      if (!first.done) {
        this.parked.delete(first.value);
        this.notify(first.value);
      }
    }, Math.max(1, probeInMs));
  }

  /** A probe that never went out: another conversation may carry the next one. */
  private abandonProbe(): void {
    this.circuit.abandonProbe();
    this.armProbe(this.circuit.probeInMs(this.now()));
  }

  private unparkAll(): void {
    if (this.probeTimer !== undefined) this.timers.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const ids = [...this.parked];
    this.parked.clear();
    for (const id of ids) this.notify(id);
  }

  /** One attempt: the in-flight mark and the request inside a delivery slot; the outcome's mark after it. */
  private async attempt(row: OutboxRow, bot: BotCredentials, bodyJson: string, granted: boolean): Promise<Step> {
    type Sent = { attempt: number; outcome: SendOutcome };
    const sent = (await this.limiter.add(async (): Promise<Sent | undefined> => {
      const { metrics } = this.deps;
      let probe = granted;
      if (!probe && this.circuit.state !== 'closed') {
        // The circuit opened while this call waited for a slot: it waits with the rest instead of going out.
        const t = this.now();
        const permission = this.circuit.permit(t);
        if (permission.kind === 'wait') {
          this.park(row.conversationId, permission.untilMs - t);
          return undefined;
        }
        probe = permission.probe;
        if (probe) this.reportCircuit();
      }
      let marked: boolean;
      try {
        marked = await this.write(row, { id: row.id, status: 'inflight', at: this.now() });
      } catch (err) {
        // Nothing was sent; the probe must not stay "in progress" or the circuit never lets a call through again.
        if (probe) this.abandonProbe();
        throw err;
      }
      if (!marked) {
        if (probe) this.abandonProbe();
        return undefined;
      }
      const attempt = row.attempts + 1;
      metrics?.inFlight.inc();
      let outcome: SendOutcome;
      try {
        outcome = await this.deps.sender.send(bot, bodyJson);
      } catch (err) {
        // A sender must classify, never throw; if one does, nobody knows whether the body went out.
        outcome = { kind: 'unknown', error: `sender failed: ${err instanceof Error ? err.message : String(err)}` };
      } finally {
        metrics?.inFlight.dec();
      }
      metrics?.hookCalls.inc({ event: row.kind, status: 'status' in outcome && outcome.status !== undefined ? statusLabel(outcome.status) : outcome.kind });
      this.observeHost(outcome, probe);
      return { attempt, outcome };
    })) as Sent | undefined;
    // The slot is free once the answer is in: waiting for the outcome's mark to reach the disk is not a call
    // in flight, and holding the slot for it would cap throughput at the disk's flush rate.
    return sent ? this.settle(row, sent.attempt, sent.outcome) : 'stop';
  }

  /** What an answer says about the host. Runs inside the slot, so no call slips out after the circuit opens. */
  private observeHost(outcome: SendOutcome, probe: boolean): void {
    const { logger } = this.deps;
    const t = this.now();
    if (outcome.kind === 'ok' || outcome.kind === 'permanent') {
      if (this.circuit.succeeded()) {
        logger.info({ host: this.circuit.host, event: 'delivery.circuit_closed' }, 'delivery: Agent AI answers again; circuit closed, resuming every conversation in order');
        this.reportCircuit();
        this.unparkAll();
      }
      return;
    }
    if (this.circuit.failed(t, probe)) {
      logger.warn(
        { host: this.circuit.host, error: outcome.error, event: 'delivery.circuit_open', circuit: this.circuit.status() },
        'delivery: Agent AI keeps failing; circuit open, delivery paused (nothing is dropped)',
      );
    }
    if (this.circuit.state !== 'closed') {
      this.reportCircuit();
      this.armProbe(this.circuit.probeInMs(t));
    }
  }

  private async settle(row: OutboxRow, attempt: number, outcome: SendOutcome): Promise<Step> {
    const { options, logger, metrics } = this.deps;
    const t = this.now();
    const log = { conversationId: row.conversationId, hookEvent: row.event, outboxId: row.id, attempt };
    switch (outcome.kind) {
      case 'ok': {
        const purgeBody = options.purgeDeliveredBodies === true;
        if (!(await this.write(row, { id: row.id, status: 'done', httpStatus: outcome.status, at: t, ...(purgeBody ? { purgeBody } : {}) }))) return 'stop';
        this.counts.delivered += 1;
        this.deps.onDelivered?.(row);
        metrics?.latency.observe({ event: row.kind }, Math.max(0, t - row.factAt) / 1000);
        // Info for the conversation-level calls (agent entries and exits, transfers, summary, end), debug for each
        // message: ops see every conversation start, move and end at Agent AI without a line per utterance.
        logger[row.kind === 'message' ? 'debug' : 'info']({ ...log, status: outcome.status, event: 'hook.delivered' }, `delivered ${row.label}`);
        return 'next';
      }
      case 'permanent':
        // It will never be accepted: keep it visible, and let the conversation go on.
        return (await this.deadLetter(row, { cause: 'rejected', reason: `Agent AI rejected it: ${outcome.error}`, status: outcome.status, blocking: false, attempts: attempt })) ? 'next' : 'stop';
      case 'unknown':
        if (row.kind === 'end' && options.eocOnUnknownOutcome === 'skip') {
          return (await this.deadLetter(row, { cause: 'unknown-outcome', reason: `${UNKNOWN_EOC} (${outcome.error})`, blocking: false, attempts: attempt })) ? 'next' : 'stop';
        }
        return this.retryLater(row, attempt, outcome.error, undefined, undefined);
      case 'retry':
        return this.retryLater(row, attempt, outcome.error, outcome.status, outcome.retryAfterMs);
    }
  }

  private async retryLater(row: OutboxRow, attempt: number, error: string, status: number | undefined, retryAfterMs: number | undefined): Promise<Step> {
    const { options, metrics, logger } = this.deps;
    const t = this.now();
    const age = t - row.createdAt;
    if (age > options.maxAgeMs) {
      return (await this.deadLetter(row, { cause: 'max-age', reason: `${error}; gave up after ${Math.round(age / 1000)} s (DELIVERY_MAX_AGE_MS)`, status, blocking: true, attempts: attempt })) ? 'next' : 'stop';
    }
    if (options.maxAttempts > 0 && attempt >= options.maxAttempts) {
      return (await this.deadLetter(row, { cause: 'max-attempts', reason: `${error}; gave up after ${attempt} attempts (DELIVERY_MAX_ATTEMPTS)`, status, blocking: true, attempts: attempt })) ? 'next' : 'stop';
    }
    const delay = retryAfterMs ?? fullJitterDelay(attempt, options.backoffBaseMs, options.backoffMaxMs, this.random);
    if (!(await this.write(row, { id: row.id, status: 'pending', nextAttemptAt: t + delay, error, ...(status !== undefined ? { httpStatus: status } : {}), at: t }))) return 'stop';
    metrics?.retries.inc({ event: row.kind });
    this.counts.retried += 1;
    logger.warn({ conversationId: row.conversationId, hookEvent: row.event, outboxId: row.id, attempt, status, retryInMs: delay, error, event: 'hook.retry' }, `retrying ${row.label}`);
    this.scheduleWake(row.conversationId, delay);
    return 'stop';
  }

  /** Returns false if the claim was lost (another replica has the conversation now). */
  private async deadLetter(row: OutboxRow, d: DeadLetterDecision): Promise<boolean> {
    const t = this.now();
    const { cause, reason, status, blocking, attempts } = d;
    if (!(await this.write(row, { id: row.id, status: 'dead', reason, blocking, ...(status !== undefined ? { httpStatus: status } : {}), at: t }))) return false;
    this.deps.metrics?.deadLetters.inc({ event: row.kind, reason: cause });
    this.counts.deadLettered += 1;
    this.recentDeadLetters.unshift({ outboxId: row.id, conversationId: row.conversationId, label: row.label, cause, reason, attempts, blocking, at: new Date(t).toISOString() });
    this.recentDeadLetters.length = Math.min(this.recentDeadLetters.length, RECENT_DEAD_LETTERS);
    this.deps.logger.error(
      { conversationId: row.conversationId, hookEvent: row.event, label: row.label, outboxId: row.id, attempts, status, reason, cause, blocking, event: 'hook.dead_letter' },
      `dead letter: ${row.label}`,
    );
    return true;
  }

  private reportCircuit(): void {
    const value = this.circuit.state === 'closed' ? 0 : this.circuit.state === 'half-open' ? 1 : 2;
    this.deps.metrics?.circuitState.set({ host: this.circuit.host }, value);
  }
}
