// Wires one bridge instance from its configuration: store → pipeline (sequencers) → dispatcher → Agent AI
// client. Adapters are attached by the caller (the composition root in bin/), never imported here.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { AgentAiClient } from '../agentai/client.js';
import type { WireOptions } from '../agentai/bodies.js';
import type { BridgeConfig } from '../config/load.js';
import type { SequencerSettings } from '../core/sequencer.js';
import { Dispatcher, type BotCredentials, type DeliveryOptions } from '../delivery/dispatcher.js';
import { BridgeMetrics } from '../observability/metrics.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { Store, StoreStats } from '../store/types.js';
import type { AdapterState, OutboxCompleter } from '../core/adapter.js';
import { Visibility } from '../pipeline/visibility.js';
import { sqlitePath } from '../store/open.js';
import { openSqliteStore } from '../store/sqlite.js';
import { createSummaryService, type SummaryService } from '../summary/factory.js';
import { DeadLetterExpiry } from './dead-letter-expiry.js';
import type { SummaryWriter } from '../summary/writer.js';

export function storePath(config: BridgeConfig): string {
  return sqlitePath(config.bridge.dataDir);
}

export function sequencerSettings(config: BridgeConfig): SequencerSettings {
  return {
    settleMs: config.bridge.settleMs,
    transferSettleMs: config.bridge.transferSettleMs,
    redialWindowMs: config.bridge.redialWindowMs,
    summary: config.agentai.summary.enabled,
    defaultLanguage: config.agentai.language,
    defaultExperience: config.agentai.experience,
    earlyMessages: config.bridge.earlyMessages,
    earlyMessageLimit: config.bridge.earlyMessageLimit,
    callbackEntry: config.bridge.callbackEntry,
  };
}

export function wireOptions(config: BridgeConfig): WireOptions {
  const a = config.agentai;
  return {
    transferTypeCase: a.transferTypeCase,
    isExtAD: a.isExtAD,
    isExtADForm: a.isExtADForm,
    summary: { language: a.summary.language, locale: a.summary.locale, type: a.summary.type },
    eocReason: a.eocReason,
  };
}

export function deliveryOptions(config: BridgeConfig): DeliveryOptions {
  const d = config.delivery;
  return {
    maxInFlight: d.maxInFlight,
    maxAttempts: d.maxAttempts,
    maxAgeMs: d.maxAgeMs,
    backoffBaseMs: d.backoffBaseMs,
    backoffMaxMs: d.backoffMaxMs,
    eocOnUnknownOutcome: d.eocOnUnknownOutcome,
    circuit: { failures: d.circuitFailures, probeBaseMs: d.circuitProbeBaseMs, probeMaxMs: d.circuitProbeMaxMs },
    purgeDeliveredBodies: config.bridge.purgeDeliveredBodies,
  };
}

export interface BridgeDeps {
  readonly config: BridgeConfig;
  readonly logger: Logger;
  readonly metrics?: BridgeMetrics;
  /** Clock for timers (settle/redial windows); replay drives it from frame times. */
  readonly now?: () => number;
  /** The store; by default the SQLite file in BRIDGE_DATA_DIR. */
  readonly store?: Store;
  /** How often due timers are checked when running live. */
  readonly tickIntervalMs?: number;
  /** Summary write-back per conversation source (e.g. 'genesys'), from the adapter modules. */
  readonly summaryWriters?: ReadonlyMap<string, SummaryWriter>;
  /** Per source: what fills in hook bodies at send time, from the adapter modules. */
  readonly completers?: ReadonlyMap<string, OutboxCompleter>;
  /** Where the summary follow-up keeps its table (the SQLite file), or ':memory:'. */
  readonly summaryStorePath?: string;
}

/** Closed conversations removed per purge slice: each slice is one short transaction. */
const PURGE_SLICE = 100;
/** Purge work per timer tick; the rest waits for the next tick. */
const PURGE_TICK_BUDGET_MS = 15;
/**
 * The gauges' counts (outbox depth, open conversations, oldest of each) at most this often: they read every
 * open outbox row, about 13 ms a time at 100,000 pending calls, which on every 500 ms tick was 3% of a drain's
 * CPU. Prometheus scrapes every 15 s or so; /status shows the same figures, at most this old.
 */
const STATS_REFRESH_MS = 2_000;

export class Bridge {
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly dispatcher: Dispatcher;
  readonly client: AgentAiClient;
  readonly summary: SummaryService;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
  readonly visibility = new Visibility();
  readonly deadLetterExpiry: DeadLetterExpiry;
  private readonly now: () => number;
  private ticker: NodeJS.Timeout | undefined;
  private ticking = false;
  private lastPurge = 0;
  /** A retention purge under way, continued on each tick. */
  private purging: { before: number; purged: number } | undefined;
  private lastSweep = 0;
  private storeOk = true;
  private lastStats: StoreStats | undefined;
  private lastStatsAt = -Infinity;

  constructor(private readonly deps: BridgeDeps) {
    const { config, logger } = deps;
    this.logger = logger;
    this.now = deps.now ?? Date.now;
    this.metrics = deps.metrics ?? new BridgeMetrics();
    this.metrics.preset({ adapters: config.bridge.adapters });
    this.store = deps.store ?? openSqliteStore({ path: storePath(config), sync: config.bridge.storeSync });
    this.client = new AgentAiClient({
      baseUrl: config.agentai.url,
      hooksPath: config.agentai.hooksPath,
      tokenHeader: config.agentai.tokenHeader,
      jwt: { ttlSeconds: config.agentai.jwtTtlSeconds, jti: config.agentai.jwtJti },
      timeouts: { connectMs: config.agentai.connectTimeoutMs, headersMs: config.agentai.headersTimeoutMs, bodyMs: config.agentai.bodyTimeoutMs },
      connections: config.agentai.connections,
      keepAliveMs: config.agentai.keepAliveMs,
    });
    const bots = new Map<string, BotCredentials>(config.bots.map((b) => [b.name, b]));
    this.summary = createSummaryService({
      config,
      store: this.store,
      summaryStorePath: deps.summaryStorePath ?? (deps.store ? ':memory:' : storePath(config)),
      logger,
      writers: deps.summaryWriters ?? new Map(),
      ...(deps.now ? { now: deps.now } : {}),
    });
    this.dispatcher = new Dispatcher({
      onDelivered: (row) => this.summary.followUp.onDelivered(row),
      store: this.store,
      sender: { host: new URL(config.agentai.url).host, send: (bot, json) => this.client.postHookJson(bot, json) },
      bots,
      options: deliveryOptions(config),
      logger,
      metrics: this.metrics,
      ...(deps.completers ? { completers: deps.completers } : {}),
    });
    // The wall clock, as the dispatcher dates dead letters by it (replay drives only the timers' clock).
    this.deadLetterExpiry = new DeadLetterExpiry({ store: this.store, logger, metrics: this.metrics, retentionHours: config.bridge.deadLetterRetentionHours });
    this.pipeline = new Pipeline({
      store: this.store,
      bots: config.bots,
      sequencer: sequencerSettings(config),
      wire: wireOptions(config),
      redialMatch: config.bridge.redialMatch,
      logger,
      metrics: this.metrics,
      now: this.now,
      visibility: this.visibility,
      onOutbox: (id) => this.dispatcher.notify(id),
    });
  }

  /** What an adapter may keep in, and read from, the store. */
  adapterState(source: string): AdapterState {
    return {
      openConversations: async () => (await this.store.openConversations(source)).map((c) => ({ id: c.id, platformIds: c.platformIds, updatedAt: c.updatedAt, ...(c.experience ? { experience: c.experience } : {}) })),
      cursor: (name) => this.store.cursor(`${source}:${name}`),
      setCursor: (name, value) => this.store.setCursor(`${source}:${name}`, value),
    };
  }

  /** Resumes delivery of whatever a previous run left, and (live) starts the timer loop. */
  async start(options: { timers: boolean } = { timers: true }): Promise<void> {
    await this.dispatcher.start();
    this.summary.start();
    await this.refreshGauges();
    if (options.timers) {
      this.ticker = setInterval(() => void this.onTick(), this.deps.tickIntervalMs ?? 500);
    }
  }

  /** Whether the store answered the last probe (readiness). */
  storeWritable(): boolean {
    return this.storeOk;
  }

  stats(): StoreStats | undefined {
    return this.lastStats;
  }

  /** One pass of the timer loop; passes never overlap, and a failing one is logged and tried again. */
  async onTick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.pipeline.fireDue(this.now());
      // Rows put back by `dead-letters retry` (another process), or left by a replica that died.
      if (Date.now() - this.lastSweep > 5_000) {
        this.lastSweep = Date.now();
        this.pipeline.invalidateWakeHint();
        await this.dispatcher.sweep();
      }
      if (this.purging === undefined && this.now() - this.lastPurge > 3_600_000) {
        this.lastPurge = this.now();
        this.purging = { before: this.now() - this.deps.config.bridge.retentionHours * 3_600_000, purged: 0 };
        // Finished summary follow-ups (the summary text) go with the same retention, not only at start.
        await this.summary.store.purgeFinished(this.purging.before);
        await this.deadLetterExpiry.sweep();
      }
      if (this.purging) await this.purgeSome(this.purging);
      await this.refreshGauges(false);
    } catch (err) {
      this.logger.error({ err, event: 'bridge.tick_failed' }, 'timer tick failed; will try again on the next tick');
    } finally {
      this.ticking = false;
    }
  }

  /**
   * A slice or a few of the purge in progress, within PURGE_TICK_BUDGET_MS; the next tick goes on where this
   * one stopped, so timers keep firing on time however much there is to remove.
   */
  private async purgeSome(run: { before: number; purged: number }): Promise<void> {
    const started = performance.now();
    for (;;) {
      const n = await this.store.purgeClosed(run.before, PURGE_SLICE);
      run.purged += n;
      if (n < PURGE_SLICE) break;
      if (performance.now() - started >= PURGE_TICK_BUDGET_MS) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.purging = undefined;
    if (run.purged) this.logger.info({ purged: run.purged, event: 'store.purged' }, 'purged closed conversations past retention');
  }

  /** Removes closed conversations past retention in short slices, yielding between them. */
  async purge(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.store.purgeClosed(before, PURGE_SLICE);
      total += n;
      if (n < PURGE_SLICE) break;
      // Let delivery, timers and signals run between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (total) this.logger.info({ purged: total, event: 'store.purged' }, 'purged closed conversations past retention');
    return total;
  }

  /** The readiness probe every time; the counts when `force`d or older than STATS_REFRESH_MS. */
  async refreshGauges(force = true): Promise<void> {
    this.storeOk = await this.store.writable();
    const t = Date.now();
    if (!force && t - this.lastStatsAt < STATS_REFRESH_MS) return;
    const stats = await this.store.stats();
    this.lastStats = stats;
    this.lastStatsAt = t;
    this.metrics.queueDepth.set(stats.outboxDepth);
    this.metrics.activeConversations.set(stats.activeConversations);
    this.metrics.deadLetterBacklog.set(stats.deadLetters);
    this.metrics.outboxOldestSeconds.set(stats.oldestPendingAt !== undefined ? Math.max(0, t - stats.oldestPendingAt) / 1000 : 0);
    this.metrics.oldestOpenConversationSeconds.set(stats.oldestActiveAt !== undefined ? Math.max(0, t - stats.oldestActiveAt) / 1000 : 0);
  }

  /** Stops timers and delivery; waits for in-flight calls up to the deadline. Rows left are sent next start. */
  async stop(deadlineMs: number): Promise<boolean> {
    if (this.ticker) clearInterval(this.ticker);
    await this.pipeline.flush().catch((err: unknown) => this.logger.error({ err, event: 'bridge.flush_failed' }, 'committing the last facts failed'));
    const drained = await this.dispatcher.stop(deadlineMs);
    await this.summary.close().catch((err: unknown) => this.logger.error({ err, event: 'summary.close_failed' }, 'closing the summary follow-up failed'));
    await this.client.close().catch(() => undefined);
    await this.store.close();
    return drained;
  }
}
