// The core settings of the bridge: their key in the JSON file (BRIDGE_CONFIG), env var and default. Each
// adapter declares its own section next to its code (adapters/<name>/config.ts) and loadConfig composes them.
// The README's config reference is generated from the composed table (`agentai-bridge config-reference`), so
// the two cannot drift apart.
import convict from 'convict';
import { originProblem } from '../util/origin.js';
import { strictBoolean } from './boolean-format.js';

const nonNegativeInt = {
  name: 'non-negative-int',
  validate(value: unknown): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error('must be a whole number >= 0');
  },
  coerce: (value: unknown): unknown => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
};

const positiveInt = {
  name: 'positive-int',
  validate(value: unknown): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error('must be a whole number >= 1');
  },
  coerce: (value: unknown): unknown => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
};

const origin = {
  name: 'origin',
  validate(value: unknown): void {
    const problem = typeof value === 'string' ? originProblem(value) : 'must be set, as scheme://host[:port]';
    if (problem) throw new Error(problem);
  },
};

const optionalOrigin = {
  name: 'optional-origin',
  validate(value: unknown): void {
    if (value === '' || value === undefined) return;
    origin.validate(value);
  },
};

/** Empty (not set) or a port number; 0 asks the system for a free port (tests). */
const optionalPort = {
  name: 'optional-port',
  validate(value: unknown): void {
    if (value === '') return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) throw new Error('must be empty or a port number (0-65535)');
  },
  coerce: (value: unknown): unknown => (typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'string' ? '' : value),
};

const urlPath = {
  name: 'url-path',
  validate(value: unknown): void {
    if (typeof value !== 'string' || !/^\/[\w\-./]*[^/]$/.test(value)) throw new Error('must be a path starting with / and not ending with /');
  },
};

const stringList = {
  name: 'string-list',
  validate(value: unknown): void {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw new Error('must be a comma-separated list');
  },
  coerce: (value: unknown): unknown =>
    typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s !== '') : value,
};

/** The names are checked by loadConfig against the adapter modules it is given (core knows none). */
const adapterList = {
  name: 'adapter-list',
  validate: stringList.validate,
  coerce: stringList.coerce,
};

/** Bots are validated as a whole by bots.ts (zod); convict only insists on an array. */
const botList = {
  name: 'bot-list',
  validate(value: unknown): void {
    if (!Array.isArray(value)) throw new Error('must be an array of bot objects');
  },
};

/** Empty (SQLite store) or postgres[ql]://USER[:PASSWORD]@HOST[:PORT]/DB[?params]; the message never quotes the value. */
const postgresUrl = {
  name: 'postgres-url',
  validate(value: unknown): void {
    if (value === '' || value === undefined) return;
    if (typeof value !== 'string') throw new Error('must be a postgres:// URL');
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error('must be postgres://USER[:PASSWORD]@HOST[:PORT]/DB (or postgresql://)');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error('scheme must be postgres or postgresql');
    if (!url.hostname) throw new Error('must name a host: postgres://USER[:PASSWORD]@HOST[:PORT]/DB');
    if (url.pathname === '/' || url.pathname === '') throw new Error('must name a database: postgres://USER[:PASSWORD]@HOST[:PORT]/DB');
  },
};

const postgresSchema = {
  name: 'postgres-schema',
  validate(value: unknown): void {
    if (typeof value !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(value)) throw new Error('must be a lower-case SQL name: letters, digits, _ (at most 63)');
  },
};

convict.addFormats({ nonNegativeInt, positiveInt, optionalPort, origin, optionalOrigin, urlPath, stringList, adapterList, botList, postgresUrl, postgresSchema });
convict.addFormat(strictBoolean);

export const schema = {
  agentai: {
    url: { doc: 'Agent AI host, scheme://host[:port] (e.g. https://platform.kore.ai)', format: 'origin', default: '', env: 'AGENTAI_URL' },
    botId: { doc: 'Default bot (stream) id; required unless agentai.bots lists bots', format: String, default: '', env: 'AGENTAI_BOT_ID' },
    clientId: { doc: 'Default bot JWT app client id (the appId claim)', format: String, default: '', env: 'AGENTAI_CLIENT_ID' },
    clientSecret: { doc: 'Default bot JWT app client secret (HS256 key)', format: String, default: '', env: 'AGENTAI_CLIENT_SECRET', sensitive: true },
    hooksPath: { doc: 'Hooks API base path; the bot id is appended (seed variants: /agentai/api/v1/hooks, /api/v1/hooks)', format: 'urlPath', default: '/agentassist/api/v1/hooks', env: 'AGENTAI_HOOKS_PATH' },
    tokenHeader: { doc: 'Header that carries the JWT on hooks calls (the samples send token, the tables say auth)', format: ['token', 'auth'], default: 'token' as 'token' | 'auth', env: 'AGENTAI_TOKEN_HEADER' },
    detailsTokenHeader: { doc: 'Header that carries the JWT on Conversation Details calls', format: ['token', 'auth'], default: 'auth' as 'token' | 'auth', env: 'AGENTAI_DETAILS_TOKEN_HEADER' },
    transferTypeCase: { doc: 'transfertype casing: examples (NA, cold, warm, redial as in the payload examples), upper or lower', format: ['examples', 'upper', 'lower'], default: 'examples' as 'examples' | 'upper' | 'lower', env: 'AGENTAI_TRANSFER_TYPE_CASE' },
    isExtAD: { doc: 'Value of isExtAD on transfer events', format: Boolean, default: true, env: 'AGENTAI_IS_EXT_AD' },
    isExtADForm: { doc: 'isExtAD as the string "true" (payload examples) or a JSON boolean', format: ['string', 'boolean'], default: 'string' as 'string' | 'boolean', env: 'AGENTAI_IS_EXT_AD_FORM' },
    jwtTtlSeconds: { doc: 'Lifetime (exp - iat) of each JWT; at most 3600 when JTI is enforced', format: 'positiveInt', default: 300, env: 'AGENTAI_JWT_TTL_SECONDS' },
    jwtJti: { doc: 'Mint a fresh JWT with a unique jti per request (tenants with "Enforce JTI")', format: Boolean, default: false, env: 'AGENTAI_JWT_JTI' },
    language: { doc: 'Language code sent when the platform does not say', format: String, default: 'en', env: 'AGENTAI_DEFAULT_LANGUAGE' },
    experience: { doc: 'Experience sent when the platform does not say', format: ['voice', 'chat'], default: 'voice' as 'voice' | 'chat', env: 'AGENTAI_DEFAULT_EXPERIENCE' },
    summary: {
      enabled: { doc: 'Send TRIGGER_SUMMARY_EVENT after the final NA exit (per-bot override: bots[].summary)', format: Boolean, default: true, env: 'AGENTAI_SUMMARY' },
      language: { doc: 'TRIGGER_SUMMARY_EVENT data.language', format: String, default: 'English', env: 'AGENTAI_SUMMARY_LANGUAGE' },
      locale: { doc: 'TRIGGER_SUMMARY_EVENT data.locale', format: String, default: 'en', env: 'AGENTAI_SUMMARY_LOCALE' },
      type: { doc: 'TRIGGER_SUMMARY_EVENT data.type', format: String, default: 'post', env: 'AGENTAI_SUMMARY_TYPE' },
    },
    eocReason: { doc: 'END_OF_CONVERSATION reason', format: String, default: 'agent_initiated', env: 'AGENTAI_EOC_REASON' },
    connectTimeoutMs: { doc: 'TCP/TLS connect timeout for Agent AI calls', format: 'positiveInt', default: 5000, env: 'AGENTAI_CONNECT_TIMEOUT_MS' },
    headersTimeoutMs: { doc: 'Time to wait for response headers once the request is sent', format: 'positiveInt', default: 15000, env: 'AGENTAI_HEADERS_TIMEOUT_MS' },
    bodyTimeoutMs: { doc: 'Time to wait between response body chunks', format: 'positiveInt', default: 15000, env: 'AGENTAI_BODY_TIMEOUT_MS' },
    connections: { doc: 'Keep-alive connections to Agent AI', format: 'positiveInt', default: 16, env: 'AGENTAI_CONNECTIONS' },
    keepAliveMs: {
      doc: 'An idle keep-alive connection to Agent AI is closed after this long (or 1 s before the server says it will close it): keep it below the idle timeout of any load balancer or NAT in front of Agent AI, so no call is written to a connection the network already dropped',
      format: 'positiveInt',
      default: 2000,
      env: 'AGENTAI_KEEPALIVE_MS',
    },
    bots: {
      doc: 'Several bots (file only): [{name, botId, clientId, clientSecret | clientSecretFile, queueIds?, queueNames?, sources?, domains?, summary?, default?}]',
      format: 'botList',
      default: [] as unknown[],
    },
  },
  bridge: {
    store: { doc: 'Where the bridge keeps its state: sqlite (one process, a file in BRIDGE_DATA_DIR) or postgres (several replicas on one database, BRIDGE_POSTGRES_URL)', format: ['sqlite', 'postgres'], default: 'sqlite' as 'sqlite' | 'postgres', env: 'BRIDGE_STORE' },
    dataDir: { doc: 'Directory of the SQLite store (bridge.sqlite); unused under BRIDGE_STORE=postgres', format: String, default: './data', env: 'BRIDGE_DATA_DIR' },
    storeSync: { doc: 'SQLite synchronous mode: full (an acknowledged fact survives power loss; the flush runs off the event loop) or normal (survives a process crash only, no flush; see README "Performance")', format: ['full', 'normal'], default: 'full' as 'full' | 'normal', env: 'BRIDGE_STORE_SYNC' },
    adapters: { doc: 'Adapters to run, comma-separated: genesys, ada', format: 'adapterList', default: ['genesys'], env: 'BRIDGE_ADAPTERS' },
    settleMs: { doc: 'How long the last agent\'s normal exit waits for a successor before it is the final NA exit', format: 'nonNegativeInt', default: 10000, env: 'BRIDGE_SETTLE_MS' },
    transferSettleMs: { doc: 'The same after a blind transfer, which announces a successor (covers the queue wait); the customer leaving ends it at once', format: 'nonNegativeInt', default: 300000, env: 'BRIDGE_TRANSFER_SETTLE_MS' },
    redialWindowMs: { doc: 'After a drop, how long a re-entry (or a new outbound call to the same customer) counts as a redial; EOC waits for it', format: 'nonNegativeInt', default: 120000, env: 'BRIDGE_REDIAL_WINDOW_MS' },
    redialMatch: { doc: 'How a new outbound conversation is matched to a dropped one: address, or address-or-contact (also the external contact id)', format: ['address', 'address-or-contact'], default: 'address' as 'address' | 'address-or-contact', env: 'BRIDGE_REDIAL_MATCH' },
    earlyMessages: { doc: 'Messages before the first agent: flush after NA entry, or drop', format: ['flush', 'drop'], default: 'flush' as 'flush' | 'drop', env: 'BRIDGE_EARLY_MESSAGES' },
    earlyMessageLimit: { doc: 'At most this many early messages are kept per conversation', format: 'nonNegativeInt', default: 50, env: 'BRIDGE_EARLY_MESSAGE_LIMIT' },
    callbackEntry: { doc: 'Transfer type of a callback conversation\'s first entry: NA or redial', format: ['NA', 'redial'], default: 'NA' as 'NA' | 'redial', env: 'BRIDGE_CALLBACK_ENTRY' },
    shutdownDeadlineMs: { doc: 'On SIGTERM/SIGINT, how long queued hook calls may drain before the process exits (the rest go out at the next start)', format: 'positiveInt', default: 20000, env: 'BRIDGE_SHUTDOWN_DEADLINE_MS' },
    retentionHours: { doc: 'Closed conversations (and their delivered rows) are purged after this many hours', format: 'nonNegativeInt', default: 168, env: 'BRIDGE_RETENTION_HOURS' },
    purgeDeliveredBodies: { doc: 'Clear the body of each hook call once Agent AI accepted it (what the customer said), keeping its metadata until BRIDGE_RETENTION_HOURS; false keeps bodies until then', format: Boolean, default: true, env: 'BRIDGE_PURGE_DELIVERED_BODIES' },
    deadLetterRetentionHours: { doc: 'Dead letters are removed this many hours after delivery gave up on them (a warning is logged a day before); a blocking one takes the calls queued behind it. 0: kept until retried or dropped', format: 'nonNegativeInt', default: 720, env: 'BRIDGE_DEAD_LETTER_RETENTION_HOURS' },
  },
  postgres: {
    url: { doc: 'PostgreSQL of the postgres store: postgres://USER[:PASSWORD]@HOST[:PORT]/DB (postgresql:// too; query parameters such as sslmode allowed)', format: 'postgresUrl', default: '', env: 'BRIDGE_POSTGRES_URL', sensitive: true },
    schema: { doc: 'Schema the bridge creates and migrates its tables in (one cluster of replicas per schema)', format: 'postgresSchema', default: 'agentai_bridge', env: 'BRIDGE_POSTGRES_SCHEMA' },
    poolSize: { doc: 'Connections each replica keeps to PostgreSQL', format: 'positiveInt', default: 10, env: 'BRIDGE_POSTGRES_POOL_SIZE' },
  },
  replica: {
    id: { doc: 'Name of this replica in /status and logs (default: hostname and pid); the lease is held per process, never inherited by a restart with the same id', format: String, default: '', env: 'BRIDGE_REPLICA_ID' },
    leaseTtlMs: { doc: 'Under postgres: the subscription lease lapses this long after the leader last renewed it (a follower takes over after it)', format: 'positiveInt', default: 5000, env: 'BRIDGE_LEASE_TTL_MS' },
    heartbeatMs: { doc: 'Under postgres: how often the leader renews its lease and followers try to take it; less than half of BRIDGE_LEASE_TTL_MS', format: 'positiveInt', default: 1000, env: 'BRIDGE_LEASE_HEARTBEAT_MS' },
    claimTtlMs: { doc: 'Under postgres: a replica\'s claim on a conversation\'s delivery lapses this long after it stopped renewing it (another replica then delivers)', format: 'positiveInt', default: 10000, env: 'BRIDGE_CLAIM_TTL_MS' },
  },
  delivery: {
    maxInFlight: { doc: 'Hook calls in flight at once, across all conversations', format: 'positiveInt', default: 32, env: 'DELIVERY_MAX_IN_FLIGHT' },
    maxAttempts: { doc: 'Attempts before a call that keeps failing transiently is dead-lettered; 0: no limit, DELIVERY_MAX_AGE_MS decides', format: 'nonNegativeInt', default: 0, env: 'DELIVERY_MAX_ATTEMPTS' },
    maxAgeMs: { doc: 'A call still failing transiently this long after it was queued is dead-lettered (and holds its conversation back until retried or dropped)', format: 'positiveInt', default: 86400000, env: 'DELIVERY_MAX_AGE_MS' },
    backoffBaseMs: { doc: 'First retry delay cap (exponential backoff with full jitter)', format: 'positiveInt', default: 500, env: 'DELIVERY_BACKOFF_BASE_MS' },
    backoffMaxMs: { doc: 'Largest retry delay', format: 'positiveInt', default: 60000, env: 'DELIVERY_BACKOFF_MAX_MS' },
    circuitFailures: { doc: 'Consecutive transient failures to the Agent AI host that open the delivery circuit (delivery pauses, one probe at a time)', format: 'positiveInt', default: 5, env: 'DELIVERY_CIRCUIT_FAILURES' },
    circuitProbeBaseMs: { doc: 'First interval between probe calls while the circuit is open (doubles up to the max)', format: 'positiveInt', default: 1000, env: 'DELIVERY_CIRCUIT_PROBE_BASE_MS' },
    circuitProbeMaxMs: { doc: 'Longest interval between probe calls while the circuit is open', format: 'positiveInt', default: 30000, env: 'DELIVERY_CIRCUIT_PROBE_MAX_MS' },
    eocOnUnknownOutcome: { doc: 'An END_OF_CONVERSATION whose outcome is unknown (timeout after sending, crash mid-request): skip (do not resend, log an error) or resend', format: ['skip', 'resend'], default: 'skip' as 'skip' | 'resend', env: 'DELIVERY_EOC_ON_UNKNOWN_OUTCOME' },
  },
  http: {
    port: { doc: 'Port of the health, metrics and webhook server (the webhook port once BRIDGE_ADMIN_PORT is set)', format: 'port', default: 8080, env: 'BRIDGE_HTTP_PORT' },
    host: { doc: 'Bind address of that server', format: String, default: '0.0.0.0', env: 'BRIDGE_HTTP_HOST' },
    adminPort: { doc: 'Port of a separate admin listener: when set, /metrics and /status are served only there (/livez and /readyz on both ports); empty: everything on BRIDGE_HTTP_PORT', format: 'optionalPort', default: '' as number | '', env: 'BRIDGE_ADMIN_PORT' },
    adminHost: { doc: 'Bind address of the admin listener (empty: the same as BRIDGE_HTTP_HOST)', format: String, default: '', env: 'BRIDGE_ADMIN_HOST' },
    adminToken: { doc: 'When set, /metrics and /status require Authorization: Bearer <token> (on whichever port serves them); the probes never do', format: String, default: '', env: 'BRIDGE_ADMIN_TOKEN', sensitive: true },
    headersTimeoutMs: { doc: 'A client must send its request headers within this long of connecting (or of its previous request), else the connection is cut', format: 'positiveInt', default: 10000, env: 'BRIDGE_HTTP_HEADERS_TIMEOUT_MS' },
    requestTimeoutMs: { doc: 'A client must send its whole request (headers and body) within this long, else the connection is cut; at least BRIDGE_HTTP_HEADERS_TIMEOUT_MS', format: 'positiveInt', default: 15000, env: 'BRIDGE_HTTP_REQUEST_TIMEOUT_MS' },
    maxConnections: { doc: 'Open connections each listener accepts at once; more are closed as they arrive', format: 'positiveInt', default: 1000, env: 'BRIDGE_HTTP_MAX_CONNECTIONS' },
  },
  log: {
    level: { doc: 'pino log level', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent', env: 'LOG_LEVEL' },
    format: { doc: 'json: one JSON object per line, also on a terminal; pretty: coloured lines for a person reading them (needs the development dependency pino-pretty, otherwise JSON with a warning)', format: ['json', 'pretty'], default: 'json' as 'json' | 'pretty', env: 'LOG_FORMAT' },
  },
  summary: {
    poll: { doc: 'After TRIGGER_SUMMARY_EVENT is delivered, poll Conversation Details for the summary and write it back to the platform', format: Boolean, default: false, env: 'SUMMARY_POLL' },
    pollDeadlineMs: { doc: 'Stop polling for a summary this long after TRIGGER_SUMMARY_EVENT was delivered', format: 'positiveInt', default: 600000, env: 'SUMMARY_POLL_DEADLINE_MS' },
    pollInitialDelayMs: { doc: 'First poll this long after TRIGGER_SUMMARY_EVENT was delivered (the summary takes a while)', format: 'nonNegativeInt', default: 5000, env: 'SUMMARY_POLL_INITIAL_DELAY_MS' },
    pollBackoffMaxMs: { doc: 'Polls back off exponentially from the initial delay up to this interval', format: 'positiveInt', default: 60000, env: 'SUMMARY_POLL_BACKOFF_MAX_MS' },
    writeBack: { doc: 'Where the summary goes on the last agent\'s Genesys participant: attribute (participant attribute), wrapup (wrap-up notes), both, or none', format: ['none', 'attribute', 'wrapup', 'both'], default: 'attribute' as 'none' | 'attribute' | 'wrapup' | 'both', env: 'SUMMARY_WRITE_BACK' },
    attributeName: { doc: 'Participant attribute that receives the summary', format: String, default: 'agentai.summary', env: 'SUMMARY_ATTRIBUTE_NAME' },
    wrapupCodeId: { doc: 'Wrap-up code id sent with wrap-up notes when the agent has none assigned (empty: keep the agent\'s code, skip if none)', format: String, default: '', env: 'SUMMARY_WRAPUP_CODE_ID' },
    writeMaxAttempts: { doc: 'Attempts to write a fetched summary back before giving up', format: 'positiveInt', default: 8, env: 'SUMMARY_WRITE_MAX_ATTEMPTS' },
    language: { doc: 'lang sent to Conversation Details (empty: not sent, Agent AI\'s default)', format: String, default: '', env: 'SUMMARY_LANGUAGE' },
    historyPageSize: { doc: 'Messages per Conversation Details page (limit) when reading the history', format: 'positiveInt', default: 50, env: 'SUMMARY_HISTORY_PAGE_SIZE' },
    ratePerMinute: { doc: 'Client-side limit of Conversation Details calls per bot in any rolling minute (Kore bot tier: 60)', format: 'positiveInt', default: 60, env: 'SUMMARY_RATE_PER_MINUTE' },
    ratePerHour: { doc: 'Client-side limit of Conversation Details calls per bot in any rolling hour (Kore bot tier: 1800)', format: 'positiveInt', default: 1800, env: 'SUMMARY_RATE_PER_HOUR' },
    maxAttempts: { doc: 'Attempts per Conversation Details request (429/5xx/transport errors are retried with backoff)', format: 'positiveInt', default: 5, env: 'SUMMARY_MAX_ATTEMPTS' },
  },
};

export type Schema = typeof schema;
