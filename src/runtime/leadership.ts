// Which replica of a cluster holds the platform subscription (the Genesys notification channels): the holder
// of a lease in the shared store, on the database clock, with an epoch as fencing token.
// - Every replica tries to take the lease each heartbeat; the holder renews it. A process is its own holder
//   (replica id + a random token), so a restarted process never inherits its predecessor's lease.
// - A term starts when the lease is taken (a new epoch) and ends when it is lost, released, or can no longer
//   be renewed in time: the leader stops acting on its own clock before the lease can have lapsed on the
//   database's, measured from when it sent its last successful renewal, so a replica cut off from the database
//   (or paused) never acts alongside its successor. Facts of a term carry its fence; the store refuses them
//   once the epoch has moved on, which covers what a paused process still had in its hands.
import type { Logger } from 'pino';
import type { Fence, Store } from '../store/types.js';

export type LeaseState =
  /** Not tried yet. */
  | 'starting'
  /** Another process holds the lease. */
  | 'following'
  /** This process holds the lease; its subscription is being set up (reconciliation follows). */
  | 'leading'
  /** The lease could not be renewed (database unreachable): not acting as leader. */
  | 'cut-off'
  | 'stopped';

export interface Term {
  readonly epoch: number;
  readonly fence: Fence;
  /** Local clock when the term began. */
  readonly since: number;
}

export interface LeadershipDeps {
  readonly store: Store;
  readonly lease: string;
  readonly holder: string;
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  readonly logger: Logger;
  /** Local clock for the validity deadline (injectable for tests). */
  readonly now?: () => number;
  /** The term began: start acting (the subscription). Not awaited by the heartbeat. */
  readonly onElected: (term: Term) => Promise<void>;
  /** The term ended: stop acting. */
  readonly onDeposed: (term: Term, reason: string) => Promise<void>;
}

/** Part of the TTL kept as margin: the leader stops this much before the lease could lapse on the database. */
const SAFETY = 0.2;

export class Leadership {
  private state: LeaseState = 'starting';
  private term: Term | undefined;
  /** Local time until which the current term may act (last successful renewal's send time + TTL - margin). */
  private validUntil = 0;
  private lastRenewAt: number | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** Transitions (elected/deposed) run one after another, never interleaved. */
  private transitions: Promise<void> = Promise.resolve();
  private stopped = false;
  private unhint: (() => void) | undefined;
  private retryAfterTick = false;
  private readonly now: () => number;

  constructor(private readonly deps: LeadershipDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Tries at once, then every heartbeat, and at once when another process gives the lease up. */
  start(): void {
    this.unhint = this.deps.store.onHint?.((hint) => {
      if (hint !== 'lease-released' || this.stopped) return;
      // An attempt in flight may have read the lease just before it was given up: try once more after it.
      if (this.ticking) this.retryAfterTick = true;
      else void this.tick();
    });
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.deps.heartbeatMs);
    this.timer.unref();
  }

  /** One heartbeat: take or renew the lease, and act on what changed. Overlapping calls share one attempt. */
  tick(): Promise<void> {
    this.ticking ??= this.attempt().finally(() => {
      this.ticking = undefined;
      if (this.retryAfterTick) {
        this.retryAfterTick = false;
        void this.tick();
      }
    });
    return this.ticking;
  }

  /** Whether this process may act as the subscription holder right now. */
  isLeading(): boolean {
    return this.term !== undefined && this.now() < this.validUntil;
  }

  /** The term this process leads in now, if any. */
  current(): Term | undefined {
    return this.isLeading() ? this.term : undefined;
  }

  fence(): Fence | undefined {
    return this.isLeading() ? this.term?.fence : undefined;
  }

  /** Resolves when the transitions begun so far (starting or stopping the subscription) are done. */
  settled(): Promise<void> {
    return this.transitions;
  }

  status(): Record<string, unknown> {
    const t = this.now();
    return {
      state: this.state,
      lease: this.deps.lease,
      holder: this.deps.holder,
      ttlMs: this.deps.ttlMs,
      heartbeatMs: this.deps.heartbeatMs,
      ...(this.term ? { epoch: this.term.epoch, leadingForMs: t - this.term.since, validForMs: Math.max(0, this.validUntil - t) } : {}),
      ...(this.lastRenewAt !== undefined ? { lastRenewAgoMs: t - this.lastRenewAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Ends the term (stops acting) and gives the lease up so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unhint?.();
    if (this.timer) clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    const term = this.term;
    if (term) {
      this.depose(term, 'shutting down: lease released');
      await this.transitions;
      await this.deps.store.releaseLease(this.deps.lease, this.deps.holder, term.epoch).catch((err: unknown) => {
        this.deps.logger.warn({ err, event: 'lease.release_failed' }, 'could not release the lease; another replica takes over once it lapses');
      });
    } else {
      await this.transitions;
    }
    this.state = 'stopped';
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const sentAt = this.now();
    let lease;
    try {
      lease = await this.deps.store.acquireLease(this.deps.lease, this.deps.holder, this.deps.ttlMs);
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      if (this.term && this.state !== 'cut-off') {
        this.deps.logger.warn({ event: 'lease.renew_failed', error: this.lastError, validForMs: Math.max(0, this.validUntil - this.now()) }, 'cannot renew the subscription lease; still leading until it would lapse');
      }
      if (!this.term) this.state = 'cut-off';
      return;
    }
    if (this.stopped) return;
    this.lastError = undefined;
    const current = this.term;
    if (!lease) {
      if (current) this.depose(current, 'another replica holds the lease');
      this.state = 'following';
      return;
    }
    if (current && current.epoch !== lease.epoch) this.depose(current, `the lease moved on to epoch ${lease.epoch}`);
    this.lastRenewAt = sentAt;
    this.validUntil = sentAt + this.deps.ttlMs * (1 - SAFETY);
    this.armDeadline();
    this.state = 'leading';
    if (!this.term) {
      const term: Term = { epoch: lease.epoch, fence: { lease: this.deps.lease, epoch: lease.epoch }, since: this.now() };
      this.term = term;
      this.deps.logger.info({ event: 'lease.elected', epoch: lease.epoch, holder: this.deps.holder }, 'this replica holds the subscription lease: starting the subscription');
      this.transitions = this.transitions.then(() => this.deps.onElected(term)).catch((err: unknown) => {
        this.deps.logger.error({ err, event: 'lease.start_failed' }, 'starting the subscription failed');
      });
    }
  }

  /** Stops acting when the term can no longer be valid, even if the renewal never comes back. */
  private armDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      const term = this.term;
      if (!term) return;
      // Timers run on libuv's millisecond monotonic clock, not on `now()`: on a busy event loop most fire up to a
      // millisecond before `now()` reaches the deadline. Wait again, or the term would never end (renewals are
      // failing, so nothing else ends it) and the subscription would stay open, its facts refused, after the cut.
      if (this.now() < this.validUntil) {
        this.armDeadline();
        return;
      }
      this.depose(term, 'the lease could not be renewed in time (cut off from the database)');
      this.state = 'cut-off';
    }, Math.max(1, this.validUntil - this.now()));
    this.deadline.unref();
  }

  private depose(term: Term, reason: string): void {
    if (this.term !== term) return;
    this.term = undefined;
    this.validUntil = 0;
    if (this.deadline) clearTimeout(this.deadline);
    this.deps.logger.warn({ event: 'lease.deposed', epoch: term.epoch, reason }, `no longer the subscription holder: ${reason}`);
    // At once, not after the term's start: a start still connecting must be stopped, not waited for.
    const stopping = this.deps.onDeposed(term, reason).catch((err: unknown) => {
      this.deps.logger.error({ err, event: 'lease.stop_failed' }, 'stopping the subscription failed');
    });
    this.transitions = Promise.all([this.transitions, stopping]).then(() => undefined);
  }
}
