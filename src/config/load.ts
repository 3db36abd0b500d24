// Loads and validates the configuration: defaults < JSON file (BRIDGE_CONFIG) < env. Every secret can also
// come from a file named by `<VAR>_FILE` (Docker/Kubernetes secrets). A bad config fails as a whole with
// one problem per bad key, naming the key, its env var and the reason. The adapter modules it is given bring
// their own sections and checks (src/config/fragment.ts); core names none of them.
import { readFileSync } from 'node:fs';
import convict from 'convict';
import { schema } from './schema.js';
import { parseBots, type Bot } from './bots.js';
import { BridgeError } from '../errors.js';
import { maskPostgresUrl } from './postgres-url.js';
import { BOOLEAN_VALUES } from './boolean-format.js';
import { unknownEnvWarnings } from './env-warnings.js';
import type { ConfigModule } from './fragment.js';

const build = (env: NodeJS.ProcessEnv) => convict(schema, { env, args: [] });
type Convict = ReturnType<typeof build>;
/** The core settings (src/config/schema.ts). */
export type Settings = ReturnType<Convict['getProperties']>;

/**
 * Each adapter's section, declared by the adapter itself (`declare module` in adapters/<name>/config.ts), so
 * `config.genesys` is typed without core importing the adapter. Present when loadConfig was given that
 * adapter's module, as the composition root (bin/) always does.
 */
export interface AdapterSettings {}

export interface BridgeConfig extends Settings, AdapterSettings {
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

export interface Leaf {
  readonly key: string;
  readonly env?: string;
  readonly sensitive: boolean;
}

/** The core schema plus the section of every module that declares one, in module order. */
export function composedSchema(modules: readonly ConfigModule[] = []): typeof schema & Readonly<Record<string, object>> {
  const sections: Record<string, object> = {};
  for (const { name, config } of modules) {
    if (!config) continue;
    if (config.section in schema || config.section in sections) throw new Error(`adapter ${name}: config section "${config.section}" is already taken`);
    sections[config.section] = config.schema;
  }
  return { ...schema, ...sections };
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
  /**
   * The adapter modules of this build: their sections are loaded and, for those in BRIDGE_ADAPTERS, checked;
   * BRIDGE_ADAPTERS may name only them. Without it (library use, tests of the core) only the core is loaded.
   */
  readonly modules?: readonly ConfigModule[];
  /** Told of env vars that look like settings but are none (a typo is otherwise silently ignored); needs `modules`. */
  readonly onWarning?: (message: string) => void;
}

export function loadConfig(options: LoadOptions = {}): BridgeConfig {
  const problems: ConfigProblem[] = [];
  const modules = options.modules ?? [];
  const composed = composedSchema(modules);
  const leaves = schemaLeaves(composed);
  const sourceEnv = options.env ?? process.env;
  if (options.modules && options.onWarning) for (const warning of unknownEnvWarnings(sourceEnv, leaves)) options.onWarning(warning);
  const env = withSecretFiles(sourceEnv, leaves, problems);
  const config = convict(composed, { env, args: [] });

  const file = env.BRIDGE_CONFIG;
  if (file) {
    try {
      config.load(JSON.parse(readFileSync(file, 'utf8')) as object);
    } catch (err) {
      throw new ConfigError([{ key: 'config file', env: 'BRIDGE_CONFIG', reason: `cannot load ${file}: ${(err as Error).message}` }]);
    }
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) config.set(key, value);

  try {
    config.validate({ allowed: 'strict' });
  } catch (err) {
    problems.push(...parseConvictErrors((err as Error).message, leaves));
  }
  const core: Settings = config.getProperties();
  // The one assertion: convict checked each module's section against its schema, and the type each adapter
  // merges into AdapterSettings is derived from that same schema (SettingsOf). The sections of adapters
  // whose module was not passed in are absent, and nothing of those adapters runs then.
  const settings = core as Settings & AdapterSettings;
  const { bots, problems: botProblems } = parseBots(settings.agentai.bots);
  problems.push(...botProblems, ...crossChecks(settings), ...adapterNameChecks(settings, options.modules, problems));

  const envBot = defaultBot(settings, bots.length === 0, problems);
  if (envBot) bots.push({ ...envBot, default: bots.every((b) => !b.default) });
  const loaded: BridgeConfig = { ...settings, bots };
  problems.push(...fragmentChecks(loaded, modules, Boolean(options.live), problems));
  if (problems.length) throw new ConfigError(problems);
  return loaded;
}

/** BRIDGE_ADAPTERS may name only the modules of this build (when they are known). */
function adapterNameChecks(settings: Settings, modules: readonly ConfigModule[] | undefined, found: readonly ConfigProblem[]): ConfigProblem[] {
  if (!modules || found.some((p) => p.key === 'bridge.adapters')) return [];
  const known = modules.map((m) => m.name);
  return settings.bridge.adapters
    .filter((name) => !known.includes(name))
    .map((name) => ({ key: 'bridge.adapters', env: 'BRIDGE_ADAPTERS', reason: `unknown adapter "${name}" (known: ${known.join(', ')})` }));
}

/** The checks of each selected adapter, unless convict already refused a key of its section. */
function fragmentChecks(config: BridgeConfig, modules: readonly ConfigModule[], live: boolean, found: readonly ConfigProblem[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (found.some((p) => p.key === 'bridge.adapters')) return problems;
  for (const { name, config: fragment } of modules) {
    if (!fragment?.check || !config.bridge.adapters.includes(name)) continue;
    if (found.some((p) => p.key.startsWith(`${fragment.section}.`))) continue;
    problems.push(...fragment.check(config, live));
  }
  return problems;
}

function withSecretFiles(env: NodeJS.ProcessEnv, leaves: readonly Leaf[], problems: ConfigProblem[]): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const leaf of leaves) {
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

/** convict reports "key: reason" per line; we add the env var so an operator knows what to change. */
function parseConvictErrors(message: string, leaves: readonly Leaf[]): ConfigProblem[] {
  const envByKey = new Map(leaves.map((l) => [l.key, l.env]));
  return message
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const undeclared = /configuration param '([^']+)' not declared in the schema/.exec(line);
      if (undeclared?.[1]) return { key: undeclared[1], reason: 'unknown key (not in the schema; check the spelling)' };
      const m = /^([\w.]+): (.*)$/.exec(line);
      if (!m?.[1] || m[2] === undefined) return { key: 'config', reason: line };
      const env = envByKey.get(m[1]);
      // convict's own wording for a boolean it could not read ("0", "off", empty) says nothing of what it takes.
      const reason = m[2].replace(/^must be of type Boolean/, `must be ${BOOLEAN_VALUES}`);
      return { key: m[1], ...(env ? { env } : {}), reason };
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

/** The effective config for `check-config`: secrets (the modules' too) replaced by a mask, bots included. */
export function maskedConfig(config: BridgeConfig, modules: readonly ConfigModule[]): Record<string, unknown> {
  const masked = structuredClone(config) as unknown as Record<string, unknown>;
  for (const leaf of schemaLeaves(composedSchema(modules))) {
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
