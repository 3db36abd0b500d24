// The live Genesys Cloud adapter: token, queues, channels and sockets in; facts out. Each frame goes through
// the shared frame processor the moment it arrives (so the diff sees frames in socket order); what follows
// (message text, enrichment, ingestion) may wait on I/O and runs on one queue per conversation, so facts of
// a conversation reach the sink in order while conversations do not wait on each other.
import type { Logger } from 'pino';
import type { Adapter, AdapterContext, AdapterHealth } from '../../../src/core/adapter.js';
import type { Fact } from '../../../src/core/facts.js';
import type { BridgeMetrics } from '../../../src/observability/metrics.js';
import { GenesysFrameProcessor, MalformedFrameError, type FrameResult } from '../frame-processor.js';
import type { GenesysApi } from './api.js';
import { ChannelSet } from './channels.js';
import { Enricher } from './enrich.js';
import { MessageFetcher } from './messages.js';
import { optionsProblem, type LiveOptions } from './options.js';
import { QueueNotFoundError, resolveQueues } from './queues.js';
import { GenesysRestError } from './rest-error.js';
import { backoffMs, sleep } from './timing.js';
import { Reconciler } from './reconcile.js';
import { TokenKeeper } from './token.js';
import { RecentKeys } from './ttl-cache.js';
import { baseTopics, planChannels, transcriptionTopic } from './topic-plan.js';

const NAME = 'genesys';
/** Ended conversations are remembered this long (late duplicates, reconciliation) before the diff forgets them. */
const ENDED_RETENTION_MS = 3600_000;

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

/** The reason a start cannot succeed by retrying, or undefined when it may. */
function permanentStartFailure(err: unknown): string | undefined {
  if (err instanceof QueueNotFoundError) return err.message;
  if (!(err instanceof GenesysRestError) || err.status === undefined) return undefined;
  const status = err.status;
  if (err.message.startsWith('POST /oauth/token') && (status === 400 || status === 401 || status === 403)) {
    return `genesys: login rejected (HTTP ${status}): check GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET and GENESYS_ENVIRONMENT`;
  }
  if (status === 403) return `genesys: ${err.message}: the OAuth client lacks a permission (see README "Running it for real")`;
  return undefined;
}

/** Pause before re-reading a conversation whose facts the store refused (so a broken store is not hammered). */
const INGEST_RETRY_MS = 5_000;

/** Sorting key for one conversation's facts: by time, then the processor's tie order, messages before exits. */
const RANK: Record<Fact['type'], number> = { 'agent.joined': 0, message: 1, 'agent.left': 2, 'agents.left': 2, 'customer.left': 3, 'conversation.ended': 4 };

export class GenesysLiveAdapter implements Adapter {
  readonly name = NAME;
  private readonly abort = new AbortController();
  private readonly o: LiveOptions;
  private readonly logger: Logger;
  private readonly api: GenesysApi & { onUnauthorized?: (() => Promise<void>) | undefined };
  private readonly processor: GenesysFrameProcessor;
  private readonly enricher: Enricher;
  private readonly messages: MessageFetcher;
  private readonly token: TokenKeeper;
  private readonly reconciler: Reconciler;
  private readonly recentFacts = new RecentKeys(200_000);
  private readonly conversations = new Map<string, Tracked>();
  private readonly queues = new Map<string, Promise<void>>();
  private channels: ChannelSet | undefined;
  private queueIds: string[] = [];
  private sink: AdapterContext['sink'] | undefined;
  private started = false;
  private tokenGeneration = 0;
  private pruneTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  readonly stats = { frames: 0, facts: 0, reconnects: 0, rollovers: 0, gaps: 0 };

  constructor(private readonly deps: LiveAdapterDeps) {
    this.o = deps.options;
    this.logger = deps.logger;
    this.api = deps.api(this.abort.signal);
    this.processor = new GenesysFrameProcessor({
      now: Date.now,
      onUnknownDisconnectType: (value) => deps.metrics.unknownDisconnectTypes.inc({ value }),
    });
    this.enricher = new Enricher(this.api, this.o.enrichTimeoutMs, this.o.enrichCacheTtlMs);
    this.messages = new MessageFetcher(this.api, this.o.messageFetchTimeoutMs, Date.now, (err, conversationId) =>
      this.logger.warn({ err, conversationId }, 'genesys: message text could not be fetched'),
    );
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
      api: this.api,
      logger: this.logger,
      queueIds: () => this.queueIds,
      userIds: this.o.userIds,
      marginMs: this.o.reconcileMarginMs,
      deliverGapConversations: this.o.deliverGapConversations,
      activeConversations: () => [...this.conversations].filter(([, t]) => !t.ended).map(([id]) => id),
      isKnown: (id) => this.conversations.has(id),
      apply: async (body) => {
        const result = this.processor.processConversation(body, 'reconciliation');
        await this.handle(result);
      },
    });
  }

  /**
   * Connects, retrying what may heal by itself (network, 5xx, 429) with backoff while readiness says why;
   * rejects only for what will not (credentials refused, a queue name that does not exist, missing
   * permissions): the daemon then stops with that reason instead of retrying forever.
   */
  async start(ctx: AdapterContext): Promise<void> {
    const problem = optionsProblem(this.o);
    if (problem) throw new Error(`genesys adapter: ${problem}`);
    this.sink = ctx.sink;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.connect();
        break;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const fatal = permanentStartFailure(err);
        if (fatal) throw new Error(fatal, { cause: err });
        this.channels?.stop();
        this.channels = undefined;
        const waitMs = backoffMs(attempt, this.o.reconnectBaseMs, this.o.reconnectMaxMs);
        this.logger.warn({ err: (err as Error).message, attempt, waitMs }, 'genesys: cannot connect yet; retrying (not ready until connected)');
        try {
          await sleep(waitMs, this.abort.signal);
        } catch {
          return;
        }
      }
    }
    this.started = true;
    this.pruneTimer = setInterval(() => this.prune(), 60_000);
    this.pruneTimer.unref();
    this.heartbeatTimer = setInterval(() => {
      const age = this.channels?.lastFrameAgeMs() ?? Infinity;
      if (Number.isFinite(age)) this.deps.metrics.heartbeatAge.set({ adapter: NAME }, age / 1000);
    }, 1000);
    this.heartbeatTimer.unref();
    this.logger.info({ queues: this.queueIds.length, users: this.o.userIds.length, channels: this.channels?.status() }, 'genesys: live adapter started');
  }

  /** Login, queues, channel plan, channels and subscriptions: one attempt. */
  private async connect(): Promise<void> {
    await this.token.start();
    const queues = await resolveQueues(this.api, this.o.queueIds, this.o.queueNames);
    for (const q of queues) this.enricher.knowQueue(q);
    this.queueIds = queues.map((q) => q.id);
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
      onGap: (since, why) => {
        this.stats.gaps += 1;
        this.logger.info({ since: new Date(since).toISOString(), why }, 'genesys: reconciling a gap');
        void this.reconciler.request(since);
      },
      tokenGeneration: () => this.tokenGeneration,
      onReconnect: () => {
        this.stats.reconnects += 1;
        this.deps.metrics.reconnects.inc({ adapter: NAME });
      },
    });
    await this.channels.start(groups);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.abort.abort();
    this.token.stop();
    this.channels?.stop();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    // Let facts already taken from the socket reach the sink (the pipeline dedupes; nothing is lost by waiting).
    await Promise.race([Promise.allSettled([...this.queues.values()]), new Promise((r) => setTimeout(r, 5000))]);
  }

  health(): AdapterHealth {
    return {
      connected: this.started && (this.channels?.connected ?? false),
      detail: { ...this.channels?.status(), ...this.stats, activeConversations: [...this.conversations.values()].filter((t) => !t.ended).length },
    };
  }

  /** Resolves when every queued conversation task and reconciliation has finished (tests). */
  async idle(): Promise<void> {
    for (let i = 0; i < 10; i += 1) {
      await this.reconciler.idle();
      await Promise.allSettled([...this.queues.values()]);
      if (this.queues.size === 0) return;
    }
  }

  private onFrame(slot: number, text: string): void {
    this.stats.frames += 1;
    let result: FrameResult;
    try {
      result = this.processor.process(text);
    } catch (err) {
      // Input never takes the daemon down: a frame the processor cannot handle is logged, counted, skipped.
      this.deps.metrics.malformed.inc({ adapter: NAME });
      if (err instanceof MalformedFrameError) this.logger.warn({ error: err.message }, 'genesys: malformed frame skipped');
      else this.logger.error({ err, frame: text.slice(0, 300) }, 'genesys: frame could not be processed; skipped');
      return;
    }
    for (const control of result.control) {
      switch (control.kind) {
        case 'socket_closing':
          this.stats.rollovers += 1;
          this.logger.info({ message: control.message }, 'genesys: socket_closing; rolling over to a new channel');
          this.channels?.rollover(slot, 'v2.system.socket_closing');
          break;
        case 'channel_gone':
          this.logger.warn({ message: control.message }, 'genesys: channel gone (404); replacing it');
          this.channels?.channelGone(slot);
          break;
        case 'subscribe_result':
          if (!control.ok) this.logger.warn({ result: control.result, message: control.message }, 'genesys: subscription over the socket failed');
          break;
        case 'heartbeat':
        case 'pong':
          break;
      }
    }
    void this.handle(result);
  }

  /** Tracks the conversation, adjusts transcription topics, then queues message fetch + enrichment + ingest. */
  private handle(result: FrameResult): Promise<void> {
    for (const w of result.warnings) this.logger.warn({ conversationId: result.conversationId }, w);
    const id = result.conversationId;
    if (id === undefined) return Promise.resolve();
    let tracked = this.conversations.get(id);
    if (!tracked) this.conversations.set(id, (tracked = { ended: false, voice: false }));
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
    const queueId = tracked.queueId;
    return this.enqueue(id, async () => {
      const messages = result.digitalMessages.length ? await this.messages.fetch(result.digitalMessages, queueId ? { queueId } : {}) : [];
      const facts = [...result.facts, ...messages].sort((a, b) => a.at - b.at || RANK[a.type] - RANK[b.type]);
      for (const fact of facts) await this.deliver(fact);
    });
  }

  private enqueue(conversationId: string, task: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const next = previous.then(task).catch((err: unknown) => this.recoverFromFailedIngest(conversationId, err));
    this.queues.set(conversationId, next);
    void next.then(() => {
      if (this.queues.get(conversationId) === next) this.queues.delete(conversationId);
    });
    return next;
  }

  private async deliver(fact: Fact): Promise<void> {
    if (!this.sink || !this.recentFacts.add(fact.dedupeKey)) return;
    const enriched = await this.enricher.enrich(fact);
    this.stats.facts += 1;
    try {
      await this.sink.ingest(enriched);
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
    this.logger.error({ err, conversationId }, 'genesys: facts could not be stored; re-reading the conversation from Genesys shortly');
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
