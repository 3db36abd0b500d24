// Builds the summary pieces from the configuration, for the daemon (bridge.ts) and the CLI.
import type { Logger } from 'pino';
import { ConversationDetailsClient } from '../agentai/summary-client.js';
import { PerBotThrottle } from '../agentai/throttle.js';
import type { BridgeConfig } from '../config/load.js';
import type { BotCredentials } from '../agentai/client.js';
import type { Store } from '../store/types.js';
import { conversationLookup, SummaryFollowUp } from './follow-up.js';
import { openSummaryStore, type SummaryStore } from './summary-store.js';
import { openPostgresSummaryStore } from './postgres-summary-store.js';
import type { SummaryWriter } from './writer.js';

/** The Conversation Details client with the configured header, JWT settings, rate limits and retries. */
export function detailsClientFor(config: BridgeConfig, throttle?: PerBotThrottle): ConversationDetailsClient {
  const a = config.agentai;
  const s = config.summary;
  return new ConversationDetailsClient({
    baseUrl: a.url,
    tokenHeader: a.detailsTokenHeader,
    jwt: { ttlSeconds: a.jwtTtlSeconds, jti: a.jwtJti },
    timeouts: { connectMs: a.connectTimeoutMs, headersMs: a.headersTimeoutMs, bodyMs: a.bodyTimeoutMs },
    throttle:
      throttle ??
      new PerBotThrottle([
        { limit: s.ratePerMinute, windowMs: 60_000 },
        { limit: s.ratePerHour, windowMs: 3_600_000 },
      ]),
    retry: { maxAttempts: s.maxAttempts, baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
  });
}

export interface SummaryServiceDeps {
  readonly config: BridgeConfig;
  /** The bridge's core store (conversation records: bot, source, last agent, platform ids). */
  readonly store: Store;
  /** The SQLite file for the follow-up table: storePath(config), or ':memory:' in tests (unused under postgres). */
  readonly summaryStorePath: string;
  readonly logger: Logger;
  /** Writers by conversation source, e.g. new Map([['genesys', genesysSummaryWriter]]). */
  readonly writers: ReadonlyMap<string, SummaryWriter>;
  readonly now?: () => number;
}

export interface SummaryService {
  readonly followUp: SummaryFollowUp;
  readonly details: ConversationDetailsClient;
  readonly store: SummaryStore;
  /** Resumes open follow-ups. */
  start(): void;
  close(): Promise<void>;
}

export function createSummaryService(deps: SummaryServiceDeps): SummaryService {
  const { config } = deps;
  const details = detailsClientFor(config);
  // Beside the core store: in the cluster's schema under postgres, else in the SQLite file.
  const store = deps.store.engine === 'postgres' ? openPostgresSummaryStore({ url: config.postgres.url, schema: config.postgres.schema }) : openSummaryStore(deps.summaryStorePath);
  const bots = new Map<string, BotCredentials>(config.bots.map((b) => [b.name, b]));
  const s = config.summary;
  const followUp = new SummaryFollowUp({
    store,
    source: details,
    bots,
    writers: deps.writers,
    lookup: conversationLookup(deps.store),
    options: {
      poll: s.poll,
      pollDeadlineMs: s.pollDeadlineMs,
      pollInitialDelayMs: s.pollInitialDelayMs,
      pollBackoffMaxMs: s.pollBackoffMaxMs,
      writeBack: s.writeBack,
      writeMaxAttempts: s.writeMaxAttempts,
      language: s.language,
    },
    logger: deps.logger.child({ component: 'summary' }),
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    followUp,
    details,
    store,
    start: () => {
      // Finished rows are only kept for `agentai-bridge summary` and operators; the retention matches the store's.
      void store.purgeFinished((deps.now ?? Date.now)() - config.bridge.retentionHours * 3_600_000).catch((err: unknown) => deps.logger.warn({ err, event: 'summary.purge_failed' }, 'purging finished summary follow-ups failed'));
      followUp.start();
    },
    close: async () => {
      await followUp.stop();
      await details.close().catch(() => undefined);
      await store.close();
    },
  };
}
