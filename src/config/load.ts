// Loads and validates the configuration: defaults < JSON file (BRIDGE_CONFIG) < env. Every secret can also
// come from a file named by `<VAR>_FILE` (Docker/Kubernetes secrets). A bad config fails as a whole with
// one problem per bad key, naming the key, its env var and the reason.
import { readFileSync } from 'node:fs';
import convict from 'convict';
import { schema } from './schema.js';
import { parseBots, type Bot } from './bots.js';
import { BridgeError } from '../errors.js';
import { maskPostgresUrl } from './postgres-url.js';

const build = (env: NodeJS.ProcessEnv) => convict(schema, { env, args: [] });
type Convict = ReturnType<typeof build>;
export type Settings = ReturnType<Convict['getProperties']>;

export interface BridgeConfig extends Settings {
  /** Every bot, the env bot (if complete) included as "default". Never empty. */
  readonly bots: readonly Bot[];
}

export interface ConfigProblem {
  readonly key: string;
  readonly env?: string;
  readonly reason: string;
}

export class ConfigError extends BridgeError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super('CONFIG_INVALID', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `config error: ${p.key}${p.env ? ` (${p.env})` : ''}: ${p.reason}`;
}

interface Leaf {
  readonly key: string;
  readonly env?: string;
  readonly sensitive: boolean;
}

/** Flattens the schema into its leaves: key path, env var, sensitivity. */
export function schemaLeaves(node: object = schema, prefix = ''): Leaf[] {
  const leaves: Leaf[] = [];
  for (const [name, value] of Object.entries(node)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (value && typeof value === 'object' && 'doc' in value) {
      const v = value as { env?: string; sensitive?: boolean };
      leaves.push({ key, ...(v.env ? { env: v.env } : {}), sensitive: Boolean(v.sensitive) });
    } else if (value && typeof value === 'object') {
      leaves.push(...schemaLeaves(value, key));
    }
  }
  return leaves;
}

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Values that win over file and env (the demo wires its own simulators this way). */
  readonly overrides?: Record<string, unknown>;
  /** Also require what live adapters need (credentials, something to follow): `run` and `check-config`. */
  readonly live?: boolean;
}

export function loadConfig(options: LoadOptions = {}): BridgeConfig {
  const problems: ConfigProblem[] = [];
  const env = withSecretFiles(options.env ?? process.env, problems);
  const config = build(env);

  const file = env.BRIDGE_CONFIG;
  if (file) {
    try {
      config.load(JSON.parse(readFileSync(file, 'utf8')) as object);
    } catch (err) {
      throw new ConfigError([{ key: 'config file', env: 'BRIDGE_CONFIG', reason: `cannot load ${file}: ${(err as Error).message}` }]);
    }
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) config.set(key as never, value as never);

  try {
    config.validate({ allowed: 'strict' });
  } catch (err) {
    problems.push(...parseConvictErrors((err as Error).message));
  }
  const settings = config.getProperties();
  const { bots, problems: botProblems } = parseBots(settings.agentai.bots);
  problems.push(...botProblems, ...crossChecks(settings), ...(options.live ? liveChecks(settings) : []));

  const envBot = defaultBot(settings, bots.length === 0, problems);
  if (envBot) bots.push({ ...envBot, default: bots.every((b) => !b.default) });
  if (problems.length) throw new ConfigError(problems);
  return { ...settings, bots };
}

function withSecretFiles(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const leaf of schemaLeaves()) {
    if (!leaf.sensitive || !leaf.env) continue;
    const path = env[`${leaf.env}_FILE`];
    if (!path) continue;
    try {
      out[leaf.env] = readFileSync(path, 'utf8').trim();
    } catch (err) {
      problems.push({ key: leaf.key, env: `${leaf.env}_FILE`, reason: `cannot read ${path}: ${(err as Error).message}` });
    }
  }
  return out;
}

const envByKey = new Map(schemaLeaves().map((l) => [l.key, l.env]));

/** convict reports "key: reason" per line; we add the env var so an operator knows what to change. */
function parseConvictErrors(message: string): ConfigProblem[] {
  return message
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const undeclared = /configuration param '([^']+)' not declared in the schema/.exec(line);
      if (undeclared?.[1]) return { key: undeclared[1], reason: 'unknown key (not in the schema; check the spelling)' };
      const m = /^([\w.]+): (.*)$/.exec(line);
      if (!m?.[1] || m[2] === undefined) return { key: 'config', reason: line };
      const env = envByKey.get(m[1]);
      return { key: m[1], ...(env ? { env } : {}), reason: m[2] };
    });
}

function crossChecks(settings: Settings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (settings.agentai.jwtJti && settings.agentai.jwtTtlSeconds > 3600) {
    problems.push({ key: 'agentai.jwtTtlSeconds', env: 'AGENTAI_JWT_TTL_SECONDS', reason: 'must be at most 3600 when AGENTAI_JWT_JTI is on (Kore rejects longer tokens with a jti)' });
  }
  if (settings.bridge.store === 'postgres' && settings.postgres.url === '') {
    problems.push({ key: 'postgres.url', env: 'BRIDGE_POSTGRES_URL', reason: 'required when BRIDGE_STORE is postgres (or BRIDGE_POSTGRES_URL_FILE)' });
  }
  if (settings.replica.heartbeatMs * 2 > settings.replica.leaseTtlMs) {
    problems.push({ key: 'replica.heartbeatMs', env: 'BRIDGE_LEASE_HEARTBEAT_MS', reason: `must be at most half of BRIDGE_LEASE_TTL_MS (${settings.replica.leaseTtlMs}), so one missed renewal does not lose the lease` });
  }
  const { http } = settings;
  if (http.adminPort !== '' && http.adminPort !== 0 && http.adminPort === http.port) {
    problems.push({ key: 'http.adminPort', env: 'BRIDGE_ADMIN_PORT', reason: `must differ from BRIDGE_HTTP_PORT (${http.port}): the admin listener is a second port` });
  }
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    problems.push({ key: 'http.headersTimeoutMs', env: 'BRIDGE_HTTP_HEADERS_TIMEOUT_MS', reason: `must be at most BRIDGE_HTTP_REQUEST_TIMEOUT_MS (${http.requestTimeoutMs}): the headers are part of the request` });
  }
  if (settings.bridge.adapters.includes('ada')) {
    if (settings.ada.webhookSecrets.length === 0) {
      problems.push({ key: 'ada.webhookSecrets', env: 'ADA_WEBHOOK_SECRETS', reason: 'required when BRIDGE_ADAPTERS includes ada' });
    }
    for (const secret of settings.ada.webhookSecrets) {
      if (!secret.startsWith('whsec_')) problems.push({ key: 'ada.webhookSecrets', env: 'ADA_WEBHOOK_SECRETS', reason: 'each secret must start with whsec_' });
    }
  }
  return problems;
}

/** What the live adapters need; replay reads recorded frames and needs none of it. */
function liveChecks(settings: Settings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (settings.bridge.adapters.includes('genesys')) {
    const g = settings.genesys;
    if (g.clientId === '') problems.push({ key: 'genesys.clientId', env: 'GENESYS_CLIENT_ID', reason: 'required when BRIDGE_ADAPTERS includes genesys' });
    if (g.clientSecret === '') problems.push({ key: 'genesys.clientSecret', env: 'GENESYS_CLIENT_SECRET', reason: 'required when BRIDGE_ADAPTERS includes genesys' });
    if (g.queueIds.length === 0 && g.queueNames.length === 0 && g.userIds.length === 0) {
      problems.push({ key: 'genesys.queueIds', env: 'GENESYS_QUEUE_IDS', reason: 'nothing to follow: set GENESYS_QUEUE_IDS (ids or "all"), GENESYS_QUEUE_NAMES or GENESYS_USER_IDS' });
    }
  }
  return problems;
}

function defaultBot(settings: Settings, required: boolean, problems: ConfigProblem[]): Omit<Bot, 'default'> | undefined {
  const { botId, clientId, clientSecret } = settings.agentai;
  const fields = [
    ['agentai.botId', 'AGENTAI_BOT_ID', botId],
    ['agentai.clientId', 'AGENTAI_CLIENT_ID', clientId],
    ['agentai.clientSecret', 'AGENTAI_CLIENT_SECRET', clientSecret],
  ] as const;
  const missing = fields.filter(([, , value]) => value === '');
  if (missing.length === 0) {
    return { name: 'default', botId, clientId, clientSecret, queueIds: [], queueNames: [], sources: [], domains: [] };
  }
  if (required || missing.length < fields.length) {
    const why = required ? 'required (or list bots in agentai.bots in the config file)' : 'the env bot needs all of AGENTAI_BOT_ID, AGENTAI_CLIENT_ID, AGENTAI_CLIENT_SECRET';
    for (const [key, envName] of missing) problems.push({ key, env: envName, reason: why });
  }
  return undefined;
}

/** The effective config for `check-config`: secrets replaced by a mask, bots included. */
export function maskedConfig(config: BridgeConfig): Record<string, unknown> {
  const masked = structuredClone(config) as unknown as Record<string, unknown>;
  for (const leaf of schemaLeaves()) {
    if (!leaf.sensitive) continue;
    const path = leaf.key.split('.');
    let node: Record<string, unknown> | undefined = masked;
    for (const part of path.slice(0, -1)) node = node?.[part] as Record<string, unknown> | undefined;
    const last = path[path.length - 1];
    if (node && last && node[last] !== undefined) node[last] = mask(node[last]);
  }
  masked.bots = config.bots.map((b) => ({ ...b, clientSecret: mask(b.clientSecret) }));
  // The database URL says where the state lives: shown, with only its password masked.
  const postgres = masked.postgres as Record<string, unknown>;
  if (config.postgres.url !== '') postgres.url = maskPostgresUrl(config.postgres.url);
  const agentai = masked.agentai as Record<string, unknown>;
  agentai.bots = '(see bots)';
  return masked;
}

function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  return value === '' ? '' : '********';
}
