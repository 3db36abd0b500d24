// The live Genesys Cloud adapter: token, queues, channels and sockets in; facts out. Each frame goes through
// the shared frame processor the moment it arrives (so the diff sees frames in socket order) and its facts go
// to the sink at once, on one queue per conversation (their order) with no network wait in between: names and
// message texts are filled in when the hook call is sent (outbox-completer.ts), so a kill can only lose what
// the socket had not yet delivered, and that is what reconciliation re-reads.
// What the adapter cannot see it says so (ctx.visibility): from start until the first reconcile pass is done,
// while a socket is down until its gap is reconciled, and while a conversation is re-read.
import type { Logger } from 'pino';
import type { Adapter, AdapterContext, AdapterHealth, OutboxCompleter } from '../../../src/core/adapter.js';
import type { Fact } from '../../../src/core/facts.js';
import type { BridgeMetrics } from '../../../src/observability/metrics.js';
import { BridgeError, errorCode } from '../../../src/errors.js';
import { KeyedSerial } from '../../../src/util/keyed-serial.js';
import { disconnectTypeLabel } from '../disconnect.js';
import { IGNORED_INPUTS } from '../ignored.js';
import { compareFacts } from '../fact-order.js';
import { GenesysFrameProcessor, MalformedFrameError, type FrameResult } from '../frame-processor.js';
import { GenesysOutboxCompleter } from '../outbox-completer.js';
import type { GenesysApi } from './api.js';
import { budgeted, RequestBudget } from './budget.js';
import { ChannelSet } from './channels.js';
import { Directory } from './enrich.js';
import { FrameCursor } from './frame-cursor.js';
import { fetchMessage, messageFacts } from './messages.js';
import { optionsProblem, type LiveOptions } from './options.js';
import { QueueNotFoundError, resolveQueues } from './queues.js';
import { GenesysRestError } from './rest-error.js';
import { backoffMs, sleep } from './timing.js';
import { Reconciler } from './reconcile.js';
import { StaleSweep } from './stale-sweep.js';
import { TokenKeeper } from './token.js';
import { RecentKeys } from './ttl-cache.js';
import { baseTopics, planChannels, transcriptionTopic } from './topic-plan.js';

const NAME = 'genesys';
/** Ended conversations are remembered this long (late duplicates, reconciliation) before the diff forgets them. */
const ENDED_RETENTION_MS = 3600_000;
const CATCH_UP = 'genesys: catching up after start';
/** Failed catch-up passes before timers stop waiting for it. */
const CATCH_UP_ATTEMPTS = 5;

interface Tracked {
  ended: boolean;
  endedAt?: number;
  voice: boolean;
  queueId?: string;
}

export interface LiveAdapterDeps {
  readonly options: LiveOptions;
  readonly logger: Logger;
  readonly metrics: BridgeMetrics;
  /** Builds the REST facade once the adapter's abort signal exists. */
  readonly api: (signal: AbortSignal) => GenesysApi & { onUnauthorized?: (() => Promise<void>) | undefined };
}

/** Why a start cannot succeed by retrying (with the cause's code), or undefined when it may. */
function permanentStartFailure(err: unknown): BridgeError | undefined {
  if (err instanceof QueueNotFoundError) return err;
  if (!(err instanceof GenesysRestError)) return undefined;
  switch (err.code) {
    case 'GENESYS_LOGIN_REJECTED':
      return new BridgeError(err.code, `genesys: login rejected (HTTP ${err.status}): check GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET and GENESYS_ENVIRONMENT`, { cause: err });
    case 'GENESYS_FORBIDDEN':
      return new BridgeError(err.code, `genesys: ${err.message}: the OAuth client lacks a permission (see README "Running it for real")`, { cause: err });
    default:
      return undefined;
  }
}

/** Pause before re-reading a conversation whose facts the store refused (so a broken store is not hammered). */
const INGEST_RETRY_MS = 5_000;

export class GenesysLiveAdapter implements Adapter {
  readonly name = NAME;
  private readonly abort = new AbortController();
  private readonly o: LiveOptions;
  private readonly logger: Logger;
  private readonly api: GenesysApi & { onUnauthorized?: (() => Promise<void>) | undefined };
  /** The same API with its bursty reads spent from the org's budget: catch-up reads, and send-time lookups first. */
  private readonly reads: GenesysApi;
  private readonly sendTimeReads: GenesysApi;
  private readonly budget: RequestBudget;
  private readonly processor: GenesysFrameProcessor;
  private readonly directory: Directory;
  private readonly token: TokenKeeper;
  private readonly reconciler: Reconciler;
  private readonly recentFacts = new RecentKeys(200_000);
  private readonly conversations = new Map<string, Tracked>();
  /** Each conversation's frames are applied one after another. */
  private readonly queues = new KeyedSerial();
  private channels: ChannelSet | undefined;
  private queueIds: string[] = [];
  private ctx: AdapterContext | undefined;
  private cursor: FrameCursor | undefined;
  private stale: StaleSweep | undefined;
  private started = false;
  /** Why the last connect attempt failed while starting (in /status until connected). */
  private lastStartError: { code: string; message: string } | undefined;
  private tokenGeneration = 0;
  private gapCount = 0;
  /** Reasons this adapter is blind for (catch-up after start, sockets down or not yet reconciled). */
  private readonly blindness = new Set<string>();
  /** Per socket slot that is down: the cursor hold kept until its gap is reconciled. */
  private readonly slotHolds = new Map<number, () => void>();
  /** New outbound conversations held while a gap is not reconciled (a redial must meet its original's drop). */
  private held: FrameResult[] = [];
  /**
   * Keeps the durable last-frame cursor before the held conversations while any is held: they are in memory
   * only, so a crash before their release must leave the next start's analytics query able to find them again.
   */
  private releaseHeldCursor: (() => void) | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  readonly stats = { frames: 0, facts: 0, reconnects: 0, rollovers: 0, gaps: 0, held: 0 };

  constructor(private readonly deps: LiveAdapterDeps) {
    this.o = deps.options;
    this.logger = deps.logger;
    // At 0 from the start, so an alert sees the first reconnect or unknown value as an increase.
    deps.metrics.reconnects.inc({ adapter: NAME }, 0);
    deps.metrics.reconciled.inc({ adapter: NAME }, 0);
    deps.metrics.staleConversations.set({ adapter: NAME }, 0);
    for (const value of ['missing', 'unrecognised'] as const) deps.metrics.unknownDisconnectTypes.inc({ value }, 0);
    for (const reason of Object.keys(IGNORED_INPUTS)) deps.metrics.adapterIgnored.inc({ adapter: NAME, reason }, 0);
    this.api = deps.api(this.abort.signal);
    this.budget = new RequestBudget({ requestsPerMinute: this.o.apiRequestsPerMinute, concurrency: this.o.apiConcurrency });
    this.reads = budgeted(this.api, this.budget);
    this.sendTimeReads = budgeted(this.api, this.budget, 1);
    this.processor = new GenesysFrameProcessor({
      now: Date.now,
      onUnknownDisconnectType: (value) => deps.metrics.unknownDisconnectTypes.inc({ value: disconnectTypeLabel(value) }),
      onIgnored: (reason) => deps.metrics.adapterIgnored.inc({ adapter: NAME, reason }),
      internalSpeechWithoutAgent: this.o.internalSpeechWithoutAgent,
    });
    this.directory = new Directory(this.sendTimeReads, this.o.enrichTimeoutMs, this.o.enrichCacheTtlMs);
    this.token = new TokenKeeper({
      login: () => this.api.login(),
      renewBeforeMs: this.o.tokenRenewBeforeExpiryMs,
      logger: this.logger,
      signal: this.abort.signal,
      // Channels belong to the token that created them: move to channels of the new token, with overlap.
      onRenewed: () => {
        this.tokenGeneration += 1;
        this.channels?.rolloverAll('access token renewed');
      },
    });
    this.api.onUnauthorized = async () => {
      await this.token.renew('401 from Genesys');
    };
    this.reconciler = new Reconciler({
      api: this.reads,
      logger: this.logger,
      signal: this.abort.signal,
      queueIds: () => this.queueIds,
      userIds: this.o.userIds,
      marginMs: this.o.reconcileMarginMs,
      deliverGapConversations: this.o.deliverGapConversations,
      openConversations: () => this.possiblyOpen(),
      isKnown: (id) => this.conversations.has(id),
      apply: async (body) => {
        const result = this.processor.processConversation(body, 'reconciliation');
        await this.handle(result, true);
      },
      rereading: (id) => this.ctx?.visibility.rereading(id),
      reread: (id) => this.ctx?.visibility.reread(id),
      onReconciled: (_reason, count) => deps.metrics.reconciled.inc({ adapter: NAME }, count),
    });
  }

  /** Fills in names and message texts when hook calls are sent (registered through the module). */
  outboxCompleter(): OutboxCompleter {
    return new GenesysOutboxCompleter(
      {
        user: (id) => this.directory.user(id),
        queue: (id) => this.directory.queue(id),
        message: (conversationId, messageId) => fetchMessage(this.sendTimeReads, conversationId, messageId, this.o.messageFetchTimeoutMs),
      },
      {
        messageTextDeadlineMs: this.o.messageTextDeadlineMs,
        now: Date.now,
        onFetchFailed: (conversationId, error) => this.logger.warn({ conversationId, error, event: 'genesys.message_fetch_failed' }, 'genesys: message text not fetched yet; the call waits and is tried again'),
        // Counted per completion: a call whose post is retried is completed (and counted) again.
        onTruncated: (conversationId, fields) => {
          for (const field of fields) this.deps.metrics.inputTruncated.inc({ adapter: NAME, field });
          this.logger.info({ conversationId, fields, event: 'genesys.truncated' }, 'genesys: fields longer than Agent AI takes were cut');
        },
      },
    );
  }

  /**
   * Connects, retrying what may heal by itself (network, 5xx, 429) with backoff while readiness says why;
   * rejects only for what will not (credentials refused, a queue name that does not exist, missing
   * permissions): the daemon then stops with that reason instead of retrying forever. The catch-up with what
   * happened while the bridge was down runs once connected, in the background; timers wait until it is done.
   */
  async start(ctx: AdapterContext): Promise<void> {
    const problem = optionsProblem(this.o);
    if (problem) throw new BridgeError('CONFIG_INVALID', `genesys adapter: ${problem}`);
    this.ctx = ctx;
    this.goBlind(CATCH_UP);
    const cursor = new FrameCursor(ctx.state, (err) => this.logger.warn({ err, event: 'genesys.cursor_write_failed' }, 'genesys: the last-frame time could not be stored; trying again'));
    this.cursor = cursor;
    let since: number | undefined;
    try {
      since = await cursor.load();
    } catch (err) {
      this.logger.warn({ err, event: 'genesys.cursor_read_failed' }, 'genesys: the last-frame time could not be read; catching up on open conversations only');
    }
    // Until the catch-up is done, the durable cursor stays where the previous run left it.
    const releaseCursor = cursor.hold(since ?? Date.now());
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.connect();
        break;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const fatal = permanentStartFailure(err);
        if (fatal) throw fatal;
        this.channels?.stop();
        this.channels = undefined;
        const waitMs = backoffMs(attempt, this.o.reconnectBaseMs, this.o.reconnectMaxMs);
        this.lastStartError = { code: errorCode(err) ?? 'UNKNOWN', message: err instanceof Error ? err.message : String(err) };
        this.logger.warn(
          { err: this.lastStartError.message, code: this.lastStartError.code, attempt, waitMs, event: 'genesys.connect_retry' },
          'genesys: cannot connect yet; retrying (not ready until connected)',
        );
        try {
          await sleep(waitMs, this.abort.signal);
        } catch {
          return;
        }
      }
    }
    this.started = true;
    this.lastStartError = undefined;
    cursor.start(this.o.cursorFlushMs);
    void this.catchUp(ctx, since, releaseCursor);
    if (this.o.staleReconcileMs > 0) {
      this.stale = new StaleSweep({
        staleMs: this.o.staleReconcileMs,
        open: () => ctx.state.openConversations(),
        busy: () => this.reconciler.busy,
        refresh: async (id) => {
          const read = await this.reconciler.refresh(id);
          if (read) this.deps.metrics.reconciled.inc({ adapter: NAME });
          return read;
        },
        logger: this.logger,
        onStale: (n) => this.deps.metrics.staleConversations.set({ adapter: NAME }, n),
      });
      this.stale.start();
    }
    this.pruneTimer = setInterval(() => this.prune(), 60_000);
    this.pruneTimer.unref();
    this.heartbeatTimer = setInterval(() => {
      const age = this.channels?.lastFrameAgeMs() ?? Infinity;
      if (Number.isFinite(age)) this.deps.metrics.heartbeatAge.set({ adapter: NAME }, age / 1000);
    }, 1000);
    this.heartbeatTimer.unref();
    this.logger.info({ queues: this.queueIds.length, users: this.o.userIds.length, channels: this.channels?.status(), event: 'genesys.started' }, 'genesys: live adapter started');
  }

  /**
   * Reconciles every conversation the store holds open (their transcription topics subscribed again) and finds
   * those that started while the bridge was down. A pass that fails, or a crash in the middle, is repeated: the
   * durable cursor and the store's open list are unchanged until it has finished.
   */
  private async catchUp(ctx: AdapterContext, since: number | undefined, releaseCursor: () => void): Promise<void> {
    if (since === undefined) this.logger.info({ event: 'genesys.first_start' }, 'genesys: first start on this store: no earlier frames to catch up on');
    for (let attempt = 1; !this.abort.signal.aborted; attempt += 1) {
      try {
        for (const view of await ctx.state.openConversations()) {
          for (const id of view.platformIds) {
            if (!this.conversations.has(id)) this.conversations.set(id, { ended: false, voice: view.experience === 'voice' });
            // Speech is not replayed either: subscribe again at once (the re-read removes it if the call is over).
            if (view.experience === 'voice' && this.o.transcription) this.channels?.addTopic(transcriptionTopic(id));
          }
        }
        await this.reconciler.request(since ?? null, 'start');
        releaseCursor();
        this.seeAgain(CATCH_UP);
        return;
      } catch (err) {
        if (attempt >= CATCH_UP_ATTEMPTS) {
          // Timers cannot wait forever (an analytics permission missing, say); the next start tries again.
          this.logger.error({ err, attempts: attempt, event: 'genesys.catch_up_abandoned' }, 'genesys: catching up after start keeps failing; going on without it (the next start covers this time again)');
          this.seeAgain(CATCH_UP);
          return;
        }
        const waitMs = backoffMs(attempt, this.o.reconnectBaseMs, this.o.reconnectMaxMs);
        this.logger.warn({ err, attempt, waitMs, event: 'genesys.catch_up_retry' }, 'genesys: catching up after start failed; trying again (timers wait)');
        await sleep(waitMs, this.abort.signal).catch(() => undefined);
      }
    }
  }

  /** Login, queues, channel plan, channels and subscriptions: one attempt. */
  private async connect(): Promise<void> {
    await this.token.start();
    const queues = await resolveQueues(this.api, this.o.queueIds, this.o.queueNames);
    for (const q of queues) this.directory.knowQueue(q);
    this.queueIds = queues.map((q) => q.id);
    // Names of queues given by id, for bot selection by queue name: looked up now, never at ingest.
    for (const q of queues) if (!q.name) this.directory.queueNameNow(q.id);
    const topics = baseTopics(this.queueIds, this.o.userIds, this.o.conversationTopics);
    const groups = planChannels(topics, { perChannel: this.o.topicsPerChannel, headroom: this.o.topicHeadroom, maxChannels: this.o.maxChannels });
    this.channels = new ChannelSet({
      api: this.api,
      logger: this.logger,
      signal: this.abort.signal,
      perChannel: this.o.topicsPerChannel,
      heartbeatTimeoutMs: this.o.heartbeatTimeoutMs,
      pingTimeoutMs: this.o.pingTimeoutMs,
      reconnectBaseMs: this.o.reconnectBaseMs,
      reconnectMaxMs: this.o.reconnectMaxMs,
      rolloverBeforeExpiryMs: this.o.channelRolloverBeforeExpiryMs,
      overlapMs: this.o.rolloverOverlapMs,
      onFrame: (slot, text) => this.onFrame(slot, text),
      onBlind: (slot, since) => this.onBlind(slot, since),
      onGap: (since, why, slot) => this.onGap(since, why, slot),
      tokenGeneration: () => this.tokenGeneration,
      onReconnect: () => {
        this.stats.reconnects += 1;
        this.deps.metrics.reconnects.inc({ adapter: NAME });
      },
    });
    await this.channels.start(groups);
  }

  private socketReason(slot: number): string {
    return `genesys: socket ${slot} down or its gap not yet reconciled`;
  }

  /** A socket is gone: timers wait, and the durable cursor stays at its last frame until the gap is reconciled. */
  private onBlind(slot: number, since: number): void {
    this.goBlind(this.socketReason(slot));
    if (this.cursor && !this.slotHolds.has(slot)) this.slotHolds.set(slot, this.cursor.hold(since));
  }

  private onGap(since: number, why: string, slot: number): void {
    this.stats.gaps += 1;
    this.gapCount += 1;
    // A reason of its own for this gap: a drop during the pass opens another gap, seen again only after its pass.
    const reason = `${this.socketReason(slot)} (gap ${this.gapCount})`;
    this.goBlind(reason);
    this.seeAgain(this.socketReason(slot));
    const release = this.slotHolds.get(slot) ?? this.cursor?.hold(since);
    this.slotHolds.delete(slot);
    this.logger.info({ since: new Date(since).toISOString(), why, event: 'genesys.gap_reconciling' }, 'genesys: reconciling a gap');
    this.reconciler.request(since, `gap (${why})`).then(
      () => {
        release?.();
        this.seeAgain(reason);
      },
      () => {
        // The pass failed: timers may not wait forever on it; the cursor keeps the gap for the next start.
        this.seeAgain(reason);
      },
    );
  }

  private goBlind(reason: string): void {
    if (this.blindness.has(reason)) return;
    this.blindness.add(reason);
    this.ctx?.visibility.blind(reason);
  }

  private seeAgain(reason: string): void {
    if (!this.blindness.has(reason)) return;
    if (this.blindness.size > 1) {
      this.blindness.delete(reason);
      this.ctx?.visibility.sees(reason);
      return;
    }
    // The last reason: callbacks held meanwhile go in before timers may fire again, or the original's redial
    // window could expire (and end it) before its callback continues it.
    void this.releaseHeld().finally(() => {
      if (!this.blindness.delete(reason)) return;
      this.ctx?.visibility.sees(reason);
    });
  }

  async stop(): Promise<void> {
    this.started = false;
    this.abort.abort();
    this.token.stop();
    this.channels?.stop();
    this.stale?.stop();
    // Calls waiting in the budget still run: a hook call being completed during the drain must not hang.
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    // Let facts already taken from the socket reach the sink (the pipeline dedupes; nothing is lost by waiting).
    await Promise.race([this.queues.idle(), new Promise((r) => setTimeout(r, 5000))]);
    await this.cursor?.stop();
  }

  health(): AdapterHealth {
    return {
      connected: this.started && (this.channels?.connected ?? false),
      detail: {
        ...this.channels?.status(),
        ...this.stats,
        activeConversations: [...this.conversations.values()].filter((t) => !t.ended).length,
        blind: [...this.blindness],
        apiCallsWaiting: this.budget.waiting,
        ...(this.lastStartError ? { lastStartError: this.lastStartError } : {}),
      },
    };
  }

  /** Resolves when every queued conversation task and reconciliation has finished (tests). */
  /** Timer flushes of the durable last-frame time so far (tests wait for some instead of sleeping). */
  get cursorFlushes(): number {
    return this.cursor?.flushes ?? 0;
  }

  async idle(): Promise<void> {
    for (let i = 0; i < 10; i += 1) {
      await this.reconciler.idle();
      await this.queues.idle();
      if (this.queues.size === 0 && !this.reconciler.busy) return;
    }
  }

  /** Platform ids that may still be open: the store's open conversations and those the adapter tracks as active. */
  private async possiblyOpen(): Promise<string[]> {
    const ids = new Set<string>();
    for (const view of (await this.ctx?.state.openConversations()) ?? []) for (const id of view.platformIds) ids.add(id);
    for (const [id, t] of this.conversations) if (!t.ended) ids.add(id);
    // Held conversations are new: they are not what a pass reconciles, and re-reading them would wait on the pass.
    for (const r of this.held) if (r.conversationId !== undefined) ids.delete(r.conversationId);
    return [...ids];
  }

  private onFrame(slot: number, text: string): void {
    this.stats.frames += 1;
    this.cursor?.seen(Date.now());
    let result: FrameResult;
    try {
      result = this.processor.process(text);
    } catch (err) {
      // Input never takes the daemon down: a frame the processor cannot handle is logged, counted, skipped.
      this.deps.metrics.malformed.inc({ adapter: NAME });
      if (err instanceof MalformedFrameError) this.logger.warn({ error: err.message, event: 'genesys.frame_malformed' }, 'genesys: malformed frame skipped');
      else this.logger.error({ err, frame: text.slice(0, 300), event: 'genesys.frame_failed' }, 'genesys: frame could not be processed; skipped');
      return;
    }
    for (const control of result.control) {
      switch (control.kind) {
        case 'socket_closing':
          this.stats.rollovers += 1;
          this.logger.info({ message: control.message, event: 'genesys.socket_closing' }, 'genesys: socket_closing; rolling over to a new channel');
          this.channels?.rollover(slot, 'v2.system.socket_closing');
          break;
        case 'channel_gone':
          this.logger.warn({ message: control.message, event: 'genesys.channel_gone' }, 'genesys: channel gone (404); replacing it');
          this.channels?.channelGone(slot);
          break;
        case 'subscribe_result':
          if (!control.ok) this.logger.warn({ result: control.result, message: control.message, event: 'genesys.subscription_failed' }, 'genesys: subscription over the socket failed');
          break;
        case 'heartbeat':
        case 'pong':
          break;
      }
    }
    void this.handle(result, false);
  }

  /** Tracks the conversation, adjusts transcription topics, then hands its facts to the sink in order. */
  private handle(result: FrameResult, fromReconciliation: boolean): Promise<void> {
    for (const w of result.warnings) this.logger.warn({ conversationId: result.conversationId, event: 'genesys.frame_warning' }, w);
    const id = result.conversationId;
    if (id === undefined) return Promise.resolve();
    let tracked = this.conversations.get(id);
    const isNew = !tracked;
    if (!tracked) this.conversations.set(id, (tracked = { ended: false, voice: false }));
    // Subscribed from the first call leg, not the first agent: the subscription takes a round trip, and the
    // agent's first words must not be spoken before it holds.
    if (result.voice) tracked.voice = true;
    for (const f of result.facts) {
      if (f.queueId && !tracked.queueId) tracked.queueId = f.queueId;
      if (f.type === 'agent.joined' && f.experience === 'voice') tracked.voice = true;
    }
    const topic = transcriptionTopic(id);
    if (result.conversationEnded && !tracked.ended) {
      tracked.ended = true;
      tracked.endedAt = Date.now();
      this.channels?.removeTopic(topic);
    } else if (!tracked.ended && tracked.voice && this.o.transcription) {
      this.channels?.addTopic(topic);
    }
    if (result.facts.length === 0 && result.digitalMessages.length === 0) return Promise.resolve();
    const held = this.held.some((r) => r.conversationId === id);
    const outbound = result.facts.some((f) => f.type === 'agent.joined' && f.direction === 'outbound');
    if (!fromReconciliation && (held || (isNew && outbound && this.blindness.size > 0))) {
      // A new call to a customer whose earlier conversation may have dropped unseen: wait for the catch-up, so
      // the drop (and its redial window) is stored first and the callback continues that conversation.
      if (!held) {
        this.stats.held += 1;
        this.logger.info({ conversationId: id, blind: [...this.blindness], event: 'genesys.held_for_gap' }, 'genesys: new outbound conversation held until the gap is reconciled');
      }
      this.held.push(result);
      if (!this.releaseHeldCursor && this.cursor) {
        const since = Math.min(Date.now(), this.cursor.durableValue() ?? Infinity, ...result.facts.map((f) => f.at));
        this.releaseHeldCursor = this.cursor.hold(since);
      }
      return Promise.resolve();
    }
    return this.ingestResult(result, tracked.queueId);
  }

  private ingestResult(result: FrameResult, queueId: string | undefined): Promise<void> {
    const id = result.conversationId;
    if (id === undefined) return Promise.resolve();
    const facts = [...result.facts.map((f) => this.withKnownQueueName(f)), ...messageFacts(result.digitalMessages, queueId ? { queueId } : {}, Date.now)].sort(compareFacts);
    return this.enqueue(id, async () => {
      for (const fact of facts) await this.deliver(fact);
    });
  }

  /** Ingests what was held, and what was held while that ran, until nothing is. */
  private async releaseHeld(): Promise<void> {
    while (this.held.length) {
      const held = this.held;
      this.held = [];
      await Promise.allSettled(held.map((result) => this.ingestResult(result, this.conversations.get(result.conversationId ?? '')?.queueId)));
    }
    this.releaseHeldCursor?.();
    this.releaseHeldCursor = undefined;
  }

  /**
   * The agent's queue (the conversation's when the leg names none) goes with the fact, so the hook body carries
   * its id for the completer to name; a name the adapter already knows goes too (bot selection by queue name).
   * No lookup waits.
   */
  private withKnownQueueName(fact: Fact): Fact {
    if (fact.type !== 'agent.joined' && fact.type !== 'agent.left') return fact;
    const queueId = fact.agent.queueId ?? fact.queueId;
    if (queueId === undefined || fact.agent.queueName !== undefined) return fact;
    const queueName = this.directory.queueNameNow(queueId);
    return { ...fact, agent: { ...fact.agent, queueId, ...(queueName ? { queueName } : {}) } };
  }

  private enqueue(conversationId: string, task: () => Promise<void>): Promise<void> {
    return this.queues.run(conversationId, () => task().catch((err: unknown) => this.recoverFromFailedIngest(conversationId, err)));
  }

  private async deliver(fact: Fact): Promise<void> {
    if (!this.ctx || !this.recentFacts.add(fact.dedupeKey)) return;
    this.stats.facts += 1;
    try {
      await this.ctx.sink.ingest(fact);
    } catch (err) {
      this.recentFacts.delete(fact.dedupeKey);
      throw err;
    }
  }

  /**
   * The store refused a fact (disk full, locked): rather than lose it, forget what this conversation's diff
   * had seen and re-read it from Genesys a little later; the store's dedupe drops what was already applied.
   */
  private recoverFromFailedIngest(conversationId: string, err: unknown): void {
    this.logger.error({ err, conversationId, event: 'genesys.facts_not_stored' }, 'genesys: facts could not be stored; re-reading the conversation from Genesys shortly');
    this.processor.forget(conversationId);
    const retry = setTimeout(() => void this.reconciler.refresh(conversationId), INGEST_RETRY_MS);
    retry.unref();
  }

  private prune(): void {
    const cutoff = Date.now() - ENDED_RETENTION_MS;
    for (const [id, t] of this.conversations) {
      if (t.ended && (t.endedAt ?? 0) < cutoff) {
        this.conversations.delete(id);
        this.processor.forget(id);
      }
    }
  }
}
