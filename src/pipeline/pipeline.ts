// The transform stage's runtime: each fact (or timer tick) is applied to its conversation's sequencer inside a
// store transaction, and the intents it produces become outbox rows. Facts that arrive in one turn of the
// event loop commit together (group commit); each caller's promise settles only once its batch is durable.
// Timers run on the platform clock as observed per conversation, and wait while the source cannot see.
import type { Logger } from 'pino';
import type { FactSink, IngestOutcome } from '../core/adapter.js';
import type { Fact } from '../core/facts.js';
import type { Intent } from '../core/intents.js';
import {
  initialState,
  isClosed,
  openRedialWindow,
  step,
  type ConversationState,
  type SequencerInput,
  type SequencerSettings,
  type StepResult,
} from '../core/sequencer.js';
import { buildHookBody, describeIntent, eventCode, type WireOptions } from '../agentai/bodies.js';
import { capHookBody, type HookBodyField } from '../agentai/limits.js';
import { chooseBot, type Bot } from '../config/bots.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import type { ConversationRecord, Fence, IngestPlan, Mutation, MutationResult, NewOutboxRow, PlatformClock, Store } from '../store/types.js';
import { redialKeys, type RedialMatch } from './redial-keys.js';
import { Visibility } from './visibility.js';
import { BridgeError } from '../errors.js';
import { GroupCommit } from '../util/group-commit.js';

export interface PipelineOptions {
  readonly store: Store;
  readonly bots: readonly Bot[];
  /** Defaults for every conversation; `summary` may be overridden per bot. */
  readonly sequencer: SequencerSettings;
  readonly wire: WireOptions;
  readonly redialMatch: RedialMatch;
  readonly logger: Logger;
  readonly metrics?: BridgeMetrics;
  /** The bridge's clock (replay: the frames' clock). */
  readonly now?: () => number;
  readonly visibility?: Visibility;
  /** Most mutations in one transaction. */
  readonly maxBatch?: number;
  /** Called after a commit that queued hook calls for a conversation. */
  readonly onOutbox: (conversationId: string) => void;
}

/** What a decision noticed, for the log lines after its commit. */
interface Notes {
  ignored?: string;
  continued?: string;
}

/** The conversation's platform clock after an input at platform time `platformAt` applied at `localNow`. */
function observe(clock: PlatformClock | undefined, platformAt: number, localNow: number): PlatformClock {
  const projected = clock ? clock.platformAt + (localNow - clock.localAt) : -Infinity;
  return { platformAt: Math.max(platformAt, projected), localAt: localNow };
}

export class Pipeline implements FactSink {
  readonly visibility: Visibility;
  private readonly bots: ReadonlyMap<string, Bot>;
  private readonly now: () => number;
  private readonly maxBatch: number;
  private readonly batches: GroupCommit<Mutation, MutationResult>;
  /** Facts handed in and not yet committed, and the earliest platform time among them. */
  private uncommitted = 0;
  private uncommittedMinAt = Infinity;
  /** Earliest timer (bridge clock) this process wrote or read; undefined: ask the store. */
  private wakeHint: number | undefined;
  private wakeHintKnown = false;
  /**
   * Timers decided by this process, by conversation (bridge clock), which the store's due query may not show
   * yet (a network store commits after deciding); an entry leaves when a later decision clears it or a tick
   * finds its conversation gone.
   */
  private readonly decidedWakes = new Map<string, number>();
  /** A timer that uncommitted facts set cannot be due before their earliest time plus the shortest window. */
  private readonly shortestWindow: number;
  /** Rows whose body had fields cut to Agent AI's caps, until afterCommit counts them. */
  private readonly truncatedRows = new WeakMap<object, readonly HookBodyField[]>();

  constructor(private readonly options: PipelineOptions) {
    this.bots = new Map(options.bots.map((b) => [b.name, b]));
    this.now = options.now ?? Date.now;
    this.maxBatch = options.maxBatch ?? 512;
    this.visibility = options.visibility ?? new Visibility();
    const s = options.sequencer;
    this.shortestWindow = Math.min(s.settleMs, s.transferSettleMs, s.redialWindowMs);
    this.batches = new GroupCommit((mutations) => options.store.apply(mutations), { maxBatch: this.maxBatch, overlap: options.store.commitsInCallOrder === true });
  }

  /** `fence`: the subscription lease's epoch the fact was received under (a leader's term); refused once it moved on. */
  async ingest(fact: Fact, fence?: Fence): Promise<IngestOutcome> {
    this.options.metrics?.factsIn.inc({ adapter: fact.source, type: fact.type });
    const keys = fact.type === 'agent.joined' && fact.direction === 'outbound' ? redialKeys(fact.customer, this.options.redialMatch) : [];
    const notes: Notes = {};
    const mutation: Mutation = {
      kind: 'fact',
      dedupeKey: fact.dedupeKey,
      platformConversationId: fact.conversationId,
      at: fact.at,
      redialKeys: keys,
      ...(fence ? { fence } : {}),
      decide: (reader) => {
        let conversation = reader.conversationFor(fact.conversationId);
        let alias: string | undefined;
        if (!conversation && keys.length) {
          conversation = reader.findRedial(keys, fact.at);
          if (conversation) alias = notes.continued = conversation.id;
        }
        conversation ??= this.newConversation(fact);
        const localNow = this.now();
        const clock = observe(conversation.clock, fact.at, localNow);
        const r = this.step(conversation, fact);
        if (r.ignored) notes.ignored = r.ignored;
        return this.plan({ ...conversation, clock }, r, fact.at, alias, localNow);
      },
    };
    this.uncommitted += 1;
    this.uncommittedMinAt = Math.min(this.uncommittedMinAt, fact.at);
    let result: MutationResult;
    try {
      result = await this.batches.add(mutation);
    } finally {
      this.uncommitted -= 1;
      if (this.uncommitted === 0) this.uncommittedMinAt = Infinity;
    }
    if (result.kind === 'failed') throw result.error;
    return this.outcomeOf(fact, result, notes);
  }

  /** Resolves once everything queued so far is committed (replay, tests, shutdown). */
  flush(): Promise<void> {
    return this.batches.idle();
  }

  /** Whether a timer may be due at `now` (bridge clock), without asking the store when it cannot be. */
  mightBeDue(now: number): boolean {
    if (!this.wakeHintKnown) return true;
    if (this.wakeHint !== undefined && this.wakeHint <= now) return true;
    return this.uncommittedMinAt + this.shortestWindow <= now;
  }

  /** Forget the hint: another process (a replica, the dead-letters CLI) may have written timers. */
  invalidateWakeHint(): void {
    this.wakeHintKnown = false;
  }

  /**
   * Fires every timer due at or before `now` (bridge clock), each at its own deadline. Returns how many fired.
   * Ticks queue behind the facts handed in before them and each re-checks its conversation inside the
   * transaction, so the candidates may be a superset: the store's due list, plus timers this process decided
   * that the store may not show yet. Only a queued fact old enough to set a timer due by now (the shortest
   * window) makes it wait for the queue to commit first.
   */
  async fireDue(now: number): Promise<number> {
    if (!this.mightBeDue(now)) return 0;
    if (this.uncommittedMinAt + this.shortestWindow <= now) await this.flush();
    const { store } = this.options;
    const candidates = new Set((await store.dueConversations(now, this.maxBatch)).map((d) => d.id));
    const storeFull = candidates.size === this.maxBatch;
    for (const [id, wakeAt] of this.decidedWakes) if (wakeAt <= now) candidates.add(id);
    const held = new Set<string>();
    const seen = new Set<string>();
    const ids = [...candidates];
    const waits = ids.map((id) =>
      this.batches.add({
        kind: 'tick',
        conversationId: id,
        decide: (conversation) => {
          seen.add(id);
          const wakeAt = conversation.state.wakeAt;
          const localWake = wakeAt === undefined ? undefined : this.localWake(conversation.clock, wakeAt);
          if (localWake === undefined) this.decidedWakes.delete(id);
          if (wakeAt === undefined || localWake === undefined || localWake > now) {
            if (localWake !== undefined) this.decidedWakes.set(id, localWake);
            return undefined;
          }
          if (this.visibility.holdReason(conversation.source, Object.keys(conversation.state.platforms))) {
            held.add(id);
            return undefined;
          }
          return this.plan(conversation, this.step(conversation, { type: 'timer', at: wakeAt }), wakeAt, undefined, now);
        },
      }),
    );
    let fired = 0;
    for (const [i, result] of (await Promise.all(waits)).entries()) {
      const id = ids[i];
      // A conversation that is gone (purged, or a decision that rolled back) has no timer left.
      if (id !== undefined && !seen.has(id)) this.decidedWakes.delete(id);
      if (result.kind === 'applied') {
        fired += 1;
        this.afterCommit(result.plan, 'timer');
      }
    }
    let next = await store.nextWake();
    for (const wakeAt of this.decidedWakes.values()) if (next === undefined || wakeAt < next) next = wakeAt;
    // Held timers stay due: look again on every tick until the source sees.
    this.wakeHint = held.size ? now : next;
    this.wakeHintKnown = true;
    if (storeFull) this.wakeHint = now;
    return fired;
  }

  async nextWake(): Promise<number | undefined> {
    await this.flush();
    return this.options.store.nextWake();
  }

  private outcomeOf(fact: Fact, result: MutationResult, w: Notes): IngestOutcome {
    const { metrics, logger } = this.options;
    if (result.kind === 'duplicate') {
      metrics?.factsDuplicate.inc({ adapter: fact.source });
      logger.debug({ conversationId: fact.conversationId, dedupeKey: fact.dedupeKey, fact: fact.type, event: 'fact.duplicate' }, 'duplicate fact skipped');
      return 'duplicate';
    }
    if (result.kind === 'fenced') {
      metrics?.factsIgnored.inc({ reason: 'fenced' });
      logger.warn({ conversationId: fact.conversationId, fact: fact.type, event: 'fact.fenced' }, 'fact refused: this process no longer holds the subscription lease');
      return 'ignored';
    }
    if (result.kind !== 'applied') return 'ignored';
    const conversationId = result.plan.conversation.id;
    if (w.continued) {
      logger.info(
        { conversationId, platformConversationId: fact.conversationId, event: 'conversation.redial_continued' },
        'new conversation continues a dropped one (redial): its events go to the original conversationId',
      );
    }
    if (w.ignored) {
      metrics?.factsIgnored.inc({ reason: w.ignored });
      logger.info({ conversationId, fact: fact.type, dedupeKey: fact.dedupeKey, reason: w.ignored, event: 'fact.ignored' }, `fact ignored: ${w.ignored}`);
    }
    this.afterCommit(result.plan, fact.type);
    return w.ignored ? 'ignored' : 'accepted';
  }

  private localWake(clock: PlatformClock | undefined, platformWake: number): number {
    return clock ? clock.localAt + (platformWake - clock.platformAt) : platformWake;
  }

  private newConversation(fact: Fact): ConversationRecord {
    const queueName = fact.type === 'agent.joined' ? fact.agent.queueName : undefined;
    const bot = chooseBot(this.options.bots, {
      source: fact.source,
      ...(fact.queueId ? { queueId: fact.queueId } : {}),
      ...(queueName ? { queueName } : {}),
      ...(fact.domain ? { domain: fact.domain } : {}),
    });
    if (!bot) throw new BridgeError('NO_BOT', 'no Agent AI bot is configured');
    return { id: fact.conversationId, bot: bot.name, source: fact.source, state: initialState() };
  }

  private botOf(conversation: ConversationRecord): Bot {
    const bot = this.bots.get(conversation.bot) ?? chooseBot(this.options.bots, { source: conversation.source });
    if (!bot) throw new BridgeError('NO_BOT', 'no Agent AI bot is configured');
    return bot;
  }

  private step(conversation: ConversationRecord, input: SequencerInput): StepResult {
    const bot = this.botOf(conversation);
    const settings = bot.summary === undefined ? this.options.sequencer : { ...this.options.sequencer, summary: bot.summary };
    return step(conversation.state, input, settings);
  }

  private plan(conversation: ConversationRecord, r: StepResult, at: number, alias: string | undefined, localNow: number): IngestPlan {
    const bot = this.botOf(conversation);
    const outbox = r.intents.map((intent) => this.outboxRow(conversation, bot, intent, at));
    const wakeAt = r.state.wakeAt !== undefined ? this.localWake(conversation.clock, r.state.wakeAt) : undefined;
    if (wakeAt !== undefined && (this.wakeHint === undefined || wakeAt < this.wakeHint)) this.wakeHint = wakeAt;
    if (wakeAt === undefined) this.decidedWakes.delete(conversation.id);
    else this.decidedWakes.set(conversation.id, wakeAt);
    return {
      conversation: { ...conversation, state: r.state },
      ...(wakeAt !== undefined ? { wakeAt } : {}),
      // Aged by when the bridge closed it, not by the platform's timestamps.
      ...(isClosed(r.state) ? { closedAt: localNow } : {}),
      outbox,
      ...(alias ? { alias } : {}),
      ...this.redialIndex(r.state),
    };
  }

  private redialIndex(state: ConversationState): Pick<IngestPlan, 'redial'> {
    if (isClosed(state)) return { redial: 'clear' };
    const window = openRedialWindow(state);
    const keys = redialKeys(state.customer, this.options.redialMatch);
    return window && keys.length ? { redial: { keys, until: window.until } } : {};
  }

  private outboxRow(conversation: ConversationRecord, bot: Bot, intent: Intent, factAt: number): NewOutboxRow {
    const built = buildHookBody(intent, { conversationId: conversation.id, botId: bot.botId, source: conversation.source }, this.options.wire);
    const { value: body, truncated } = capHookBody(built);
    const ref = intent.kind === 'message' ? intent.textRef : undefined;
    const row = { kind: intent.kind, label: describeIntent(intent), event: eventCode(intent), body, factAt, ...(ref ? { ref } : {}) };
    // Counted once the plan is committed (a plan that rolls back or loses to a duplicate sent nothing).
    if (truncated.length) this.truncatedRows.set(row, truncated);
    return row;
  }

  private afterCommit(plan: IngestPlan, cause: string): void {
    const conversationId = plan.conversation.id;
    // Debug: one line per hook call at info cost about a tenth of a call's CPU; the delivery of each
    // conversation-level call is logged at info (dispatcher), failures at warn and error.
    for (const row of plan.outbox) {
      this.options.logger.debug({ conversationId, hookEvent: row.event, label: row.label, cause, event: 'hook.queued' }, `queued ${row.label}`);
      const fields = this.truncatedRows.get(row);
      if (!fields) continue;
      const adapter = plan.conversation.source;
      for (const field of fields) this.options.metrics?.inputTruncated.inc({ adapter, field });
      this.options.logger.info({ conversationId, adapter, hookEvent: row.event, fields, event: 'hook.truncated' }, `${row.label}: fields longer than Agent AI takes were cut`);
    }
    if (plan.closedAt !== undefined && plan.outbox.some((r) => r.kind === 'end')) {
      this.options.logger.info({ conversationId, event: 'conversation.closed' }, 'conversation closed');
    }
    if (plan.outbox.length) this.options.onOutbox(conversationId);
  }
}
