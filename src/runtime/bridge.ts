// Wires one bridge instance from its configuration: store → pipeline (sequencers) → dispatcher → Agent AI
// client. Adapters are attached by the caller (the composition root in bin/), never imported here.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AgentAiClient } from '../agentai/client.js';
import type { WireOptions } from '../agentai/bodies.js';
import type { BridgeConfig } from '../config/load.js';
import type { SequencerSettings } from '../core/sequencer.js';
import { Dispatcher, type BotCredentials, type DeliveryOptions } from '../delivery/dispatcher.js';
import { BridgeMetrics } from '../observability/metrics.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import { createSummaryService, type SummaryService } from '../summary/factory.js';
import type { SummaryWriter } from '../summary/writer.js';

export function storePath(config: BridgeConfig): string {
  return join(config.bridge.dataDir, 'bridge.sqlite');
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
  return { ...config.delivery };
}

export interface BridgeDeps {
  readonly config: BridgeConfig;
  readonly logger: Logger;
  readonly metrics?: BridgeMetrics;
  /** Clock for timers (settle/redial windows); replay drives it from frame times. */
  readonly now?: () => number;
  readonly store?: Store;
  /** How often due timers are checked when running live. */
  readonly tickIntervalMs?: number;
  /** Summary write-back per conversation source (e.g. 'genesys'), from the adapter modules. */
  readonly summaryWriters?: ReadonlyMap<string, SummaryWriter>;
}

export class Bridge {
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly dispatcher: Dispatcher;
  readonly client: AgentAiClient;
  readonly summary: SummaryService;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
  private readonly now: () => number;
  private ticker: NodeJS.Timeout | undefined;
  private lastPurge = 0;
  private lastSweep = 0;

  constructor(private readonly deps: BridgeDeps) {
    const { config, logger } = deps;
    this.logger = logger;
    this.now = deps.now ?? Date.now;
    this.metrics = deps.metrics ?? new BridgeMetrics();
    this.store = deps.store ?? openSqliteStore({ path: storePath(config), sync: config.bridge.storeSync });
    this.client = new AgentAiClient({
      baseUrl: config.agentai.url,
      hooksPath: config.agentai.hooksPath,
      tokenHeader: config.agentai.tokenHeader,
      jwt: { ttlSeconds: config.agentai.jwtTtlSeconds, jti: config.agentai.jwtJti },
      timeouts: { connectMs: config.agentai.connectTimeoutMs, headersMs: config.agentai.headersTimeoutMs, bodyMs: config.agentai.bodyTimeoutMs },
      connections: config.agentai.connections,
    });
    const bots = new Map<string, BotCredentials>(config.bots.map((b) => [b.name, b]));
    this.summary = createSummaryService({
      config,
      store: this.store,
      summaryStorePath: deps.store ? ':memory:' : storePath(config),
      logger,
      writers: deps.summaryWriters ?? new Map(),
      ...(deps.now ? { now: deps.now } : {}),
    });
    this.dispatcher = new Dispatcher({
      onDelivered: (row) => this.summary.followUp.onDelivered(row),
      store: this.store,
      sender: { send: (bot, json) => this.client.postHookJson(bot, json) },
      bots,
      options: deliveryOptions(config),
      logger,
      metrics: this.metrics,
    });
    this.pipeline = new Pipeline({
      store: this.store,
      bots: config.bots,
      sequencer: sequencerSettings(config),
      wire: wireOptions(config),
      redialMatch: config.bridge.redialMatch,
      logger,
      metrics: this.metrics,
      onOutbox: (id) => this.dispatcher.notify(id),
    });
  }

  /** Resumes delivery of whatever a previous run left, and (live) starts the timer loop. */
  start(options: { timers: boolean } = { timers: true }): void {
    this.dispatcher.start();
    this.summary.start();
    this.refreshGauges();
    if (options.timers) {
      this.ticker = setInterval(() => this.onTick(), this.deps.tickIntervalMs ?? 500);
    }
  }

  private onTick(): void {
    try {
      this.pipeline.fireDue(this.now());
      // Rows put back by `dead-letters retry` (another process) are found by this sweep.
      if (Date.now() - this.lastSweep > 5_000) {
        this.lastSweep = Date.now();
        for (const id of this.store.conversationsWithPending()) this.dispatcher.notify(id);
      }
      if (this.now() - this.lastPurge > 3_600_000) {
        this.lastPurge = this.now();
        const purged = this.store.purgeClosed(this.now() - this.deps.config.bridge.retentionHours * 3_600_000);
        if (purged) this.logger.info({ purged }, 'purged closed conversations past retention');
      }
      this.refreshGauges();
    } catch (err) {
      this.logger.error({ err }, 'timer tick failed; will try again on the next tick');
    }
  }

  refreshGauges(): void {
    const stats = this.store.stats();
    this.metrics.queueDepth.set(stats.outboxDepth);
    this.metrics.activeConversations.set(stats.activeConversations);
  }

  /** Stops timers and delivery; waits for in-flight calls up to the deadline. Rows left are sent next start. */
  async stop(deadlineMs: number): Promise<boolean> {
    if (this.ticker) clearInterval(this.ticker);
    const drained = await this.dispatcher.stop(deadlineMs);
    await this.summary.close().catch((err: unknown) => this.logger.error({ err }, 'closing the summary follow-up failed'));
    await this.client.close().catch(() => undefined);
    this.store.close();
    return drained;
  }
}
