// Shared start-up of CLI commands: load the config (or print why not), open the configured store, build the logger.
import type { Logger } from 'pino';
import type { DestinationStream } from 'pino';
import { composedSchema, ConfigError, loadConfig, schemaLeaves, type BridgeConfig, type LoadOptions } from '../config/load.js';
import type { ConfigModule } from '../config/fragment.js';
import { createLogger } from '../observability/logger.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { postgresPassword } from '../config/postgres-url.js';
import { EXIT, println, type CliContext } from './context.js';

/** Every secret value in the config (the sensitive keys of core and modules, every bot's), so the logger can scrub it from any line. */
export function secretValues(config: BridgeConfig, modules: readonly ConfigModule[]): string[] {
  const values: string[] = [];
  for (const leaf of schemaLeaves(composedSchema(modules))) {
    if (!leaf.sensitive) continue;
    let node: unknown = config;
    for (const part of leaf.key.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    for (const value of Array.isArray(node) ? node : [node]) if (typeof value === 'string') values.push(value);
  }
  values.push(...config.bots.map((b) => b.clientSecret), postgresPassword(config.postgres.url) ?? '');
  return values.filter((s) => s !== '');
}

export function loadOrExplain(ctx: CliContext, overrides?: LoadOptions['overrides'], live = false): BridgeConfig | number {
  try {
    return loadConfig({ env: ctx.env, live, modules: ctx.modules, onWarning: (warning) => println(ctx.stderr, warning), ...(overrides ? { overrides } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) {
      println(ctx.stderr, err.message);
      println(ctx.stderr, `${err.problems.length} configuration problem(s); nothing was started. See README "Configuration".`);
      return EXIT.config;
    }
    throw err;
  }
}

/** Runs `use` with the configured store (openStore) and the config it came from, closing the store after; a config problem returns its exit code. */
export async function withConfiguredStore(ctx: CliContext, use: (store: Store, config: BridgeConfig) => Promise<number>): Promise<number> {
  const config = loadOrExplain(ctx);
  if (typeof config === 'number') return config;
  let store: Store;
  try {
    store = await openStore(config);
  } catch (err) {
    // Under postgres: the cluster's database is unreachable (the message names BRIDGE_POSTGRES_URL, masked).
    println(ctx.stderr, `agentai-bridge: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.failure;
  }
  try {
    return await use(store, config);
  } finally {
    await store.close();
  }
}

export function loggerFor(config: BridgeConfig, modules: readonly ConfigModule[], destination?: DestinationStream): Logger {
  return createLogger({ level: config.log.level, format: config.log.format, secrets: secretValues(config, modules), ...(destination ? { destination, pretty: false } : {}) });
}
