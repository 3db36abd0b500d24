// The Genesys adapter's section of the configuration (`genesys.*`, GENESYS_*) and its checks: the live
// adapter's rules (credentials, something to follow, channel budget) run in `check-config` and before `run`
// opens anything.
import type { ConfigProblem } from '../../src/config/load.js';
import { configFragment, type SettingsOf } from '../../src/config/fragment.js';
import { liveOptions, optionsProblems } from './live/options.js';

export const genesysSchema = {
  clientId: { doc: 'Genesys Cloud OAuth client id (client credentials)', format: String, default: '', env: 'GENESYS_CLIENT_ID' },
  clientSecret: { doc: 'Genesys Cloud OAuth client secret', format: String, default: '', env: 'GENESYS_CLIENT_SECRET', sensitive: true },
  environment: { doc: 'Genesys Cloud region, e.g. mypurecloud.com, mypurecloud.ie', format: String, default: 'mypurecloud.com', env: 'GENESYS_ENVIRONMENT' },
  gatewayUrl: { doc: 'Optional scheme://host:port gateway (proxy, or the simulator) for all Genesys calls', format: 'optionalOrigin', default: '', env: 'GENESYS_GATEWAY_URL' },
  queueIds: { doc: 'Queues to follow: ids, or "all"', format: 'stringList', default: [] as string[], env: 'GENESYS_QUEUE_IDS' },
  queueNames: { doc: 'Queues to follow by name (resolved through the Routing API)', format: 'stringList', default: [] as string[], env: 'GENESYS_QUEUE_NAMES' },
  userIds: { doc: 'Users (agents) to follow', format: 'stringList', default: [] as string[], env: 'GENESYS_USER_IDS' },
  conversationTopics: { doc: 'Conversation topics per queue/user: conversations (nested, all media) and/or per-media ones such as conversations.calls, conversations.messages', format: 'stringList', default: ['conversations'] as string[], env: 'GENESYS_CONVERSATION_TOPICS' },
  transcription: { doc: 'Subscribe v2.conversations.{id}.transcription while a voice conversation has an agent (needs conversation:transcription:view)', format: Boolean, default: true, env: 'GENESYS_TRANSCRIPTION' },
  internalSpeechWithoutAgent: { doc: 'INTERNAL-channel speech while no agent is connected (IVR, bot, queue prompts): drop (counted) or keep as agent messages', format: ['drop', 'keep'], default: 'drop' as 'drop' | 'keep', env: 'GENESYS_INTERNAL_SPEECH_WITHOUT_AGENT' },
  topicsPerChannel: { doc: 'Topic limit of one notification channel (Genesys: 1000)', format: 'positiveInt', default: 1000, env: 'GENESYS_TOPICS_PER_CHANNEL' },
  topicHeadroom: { doc: 'Topics kept free on each channel at start for per-conversation transcription topics', format: 'nonNegativeInt', default: 200, env: 'GENESYS_TOPIC_HEADROOM' },
  maxChannels: { doc: 'Channel limit per OAuth client (Genesys: 20); one is kept free for roll-overs', format: 'positiveInt', default: 20, env: 'GENESYS_MAX_CHANNELS' },
  heartbeatTimeoutMs: { doc: 'Socket silence (no heartbeat or event) after which a {"message":"ping"} health check is sent (Genesys beats every ~30 s)', format: 'positiveInt', default: 40000, env: 'GENESYS_HEARTBEAT_TIMEOUT_MS' },
  pingTimeoutMs: { doc: 'How long a health-check ping waits for its pong before the socket is dropped and reconnected', format: 'positiveInt', default: 10000, env: 'GENESYS_PING_TIMEOUT_MS' },
  reconnectBaseMs: { doc: 'First reconnect delay (exponential backoff with full jitter)', format: 'positiveInt', default: 500, env: 'GENESYS_RECONNECT_BASE_MS' },
  reconnectMaxMs: { doc: 'Largest reconnect delay', format: 'positiveInt', default: 30000, env: 'GENESYS_RECONNECT_MAX_MS' },
  channelRolloverBeforeExpiryMs: { doc: 'Roll over to a new channel this long before the channel expires (24 h life)', format: 'positiveInt', default: 3600000, env: 'GENESYS_CHANNEL_ROLLOVER_BEFORE_EXPIRY_MS' },
  rolloverOverlapMs: { doc: 'During a roll-over the old socket stays open this long after the new one is live (events are deduped)', format: 'nonNegativeInt', default: 2000, env: 'GENESYS_ROLLOVER_OVERLAP_MS' },
  tokenRenewBeforeExpiryMs: { doc: 'Renew the client-credentials token this long before it expires (then roll channels over)', format: 'positiveInt', default: 600000, env: 'GENESYS_TOKEN_RENEW_BEFORE_EXPIRY_MS' },
  deliverGapConversations: { doc: 'Deliver conversations that started and ended while the socket was down (found by reconciliation)', format: Boolean, default: true, env: 'GENESYS_DELIVER_GAP_CONVERSATIONS' },
  reconcileMarginMs: { doc: 'Reconciliation looks this much further back than the last frame before a gap', format: 'nonNegativeInt', default: 60000, env: 'GENESYS_RECONCILE_MARGIN_MS' },
  cursorFlushMs: { doc: 'The durable last-frame time (where a start catches up from) is written at most this often: longer means fewer store writes and a longer stretch looked at again after a crash', format: 'positiveInt', default: 1000, env: 'GENESYS_CURSOR_FLUSH_MS' },
  apiRequestsPerMinute: { doc: 'API budget for reconciliation reads, analytics queries, message texts and name lookups (Genesys: 300 per minute per client-credentials token)', format: 'positiveInt', default: 300, env: 'GENESYS_API_REQUESTS_PER_MINUTE' },
  apiConcurrency: { doc: 'Most of those API calls in flight at once (a 429 holds only its own slot)', format: 'positiveInt', default: 8, env: 'GENESYS_API_CONCURRENCY' },
  staleReconcileMs: { doc: 'An open conversation with no new fact for this long is re-read from Genesys (0: never)', format: 'nonNegativeInt', default: 900000, env: 'GENESYS_STALE_RECONCILE_MS' },
  enrichTimeoutMs: { doc: 'Longest wait, when a hook call is sent, for an agent name/email or queue name lookup before the call goes without it', format: 'positiveInt', default: 1500, env: 'GENESYS_ENRICH_TIMEOUT_MS' },
  enrichCacheTtlMs: { doc: 'How long looked-up user and queue names are cached', format: 'positiveInt', default: 3600000, env: 'GENESYS_ENRICH_CACHE_TTL_MS' },
  messageFetchTimeoutMs: { doc: 'Longest wait for one fetch of a digital message text (bulk endpoint) when its hook call is sent; a failed or slow fetch is tried again', format: 'positiveInt', default: 5000, env: 'GENESYS_MESSAGE_FETCH_TIMEOUT_MS' },
  messageTextDeadlineMs: { doc: 'A digital message whose text still cannot be fetched this long after it was queued becomes a dead letter (its conversation goes on)', format: 'positiveInt', default: 600000, env: 'GENESYS_MESSAGE_TEXT_DEADLINE_MS' },
  requestTimeoutMs: { doc: 'HTTP timeout of each Genesys API call', format: 'positiveInt', default: 16000, env: 'GENESYS_REQUEST_TIMEOUT_MS' },
  rateLimitRetries: { doc: 'Retries of a Genesys API call answered 429 (each after its Retry-After)', format: 'nonNegativeInt', default: 5, env: 'GENESYS_RATE_LIMIT_RETRIES' },
};

export type GenesysSettings = SettingsOf<typeof genesysSchema>;

declare module '../../src/config/load.js' {
  interface AdapterSettings {
    readonly genesys: GenesysSettings;
  }
}

export const genesysConfig = configFragment({
  section: 'genesys',
  schema: genesysSchema,
  // Replay decodes recorded frames and needs none of the live adapter's settings.
  check: (config, live): ConfigProblem[] =>
    live
      ? optionsProblems(liveOptions(config)).map(({ option, reason }) => ({ key: `genesys.${option}`, env: genesysSchema[option].env, reason }))
      : [],
});
