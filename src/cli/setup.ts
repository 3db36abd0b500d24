// Shared start-up of CLI commands: load the config (or print why not), open the configured store, build the logger.
import type { Logger } from 'pino';
import type { DestinationStream } from 'pino';
import { ConfigError, loadConfig, type BridgeConfig, type LoadOptions } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { postgresPassword } from '../config/postgres-url.js';
import { EXIT, println, type CliContext } from './context.js';

/** Every secret value in the config, so the logger can scrub it from any line. */
export function secretValues(config: BridgeConfig): string[] {
  return [
    config.agentai.clientSecret,
    config.genesys.clientSecret,
    ...config.ada.webhookSecrets,
    ...config.bots.map((b) => b.clientSecret),
    config.postgres.url,
    postgresPassword(config.postgres.url) ?? '',
  ].filter((s) => s !== '');
}

export function loadOrExplain(ctx: CliContext, overrides?: LoadOptions['overrides'], live = false): BridgeConfig | number {
  try {
    return loadConfig({ env: ctx.env, live, ...(overrides ? { overrides } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) {
      println(ctx.stderr, err.message);
      println(ctx.stderr, `${err.problems.length} configuration problem(s); nothing was started. See README "Configuration".`);
      return EXIT.config;
    }
    throw err;
  }
}

/** Runs `use` with the configured store (openStore), closing it after; a config problem returns its exit code. */
export async function withConfiguredStore(ctx: CliContext, use: (store: Store) => Promise<number>): Promise<number> {
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
    return await use(store);
  } finally {
    await store.close();
  }
}

export function loggerFor(config: BridgeConfig, destination?: DestinationStream): Logger {
  return createLogger({ level: config.log.level, format: config.log.format, secrets: secretValues(config), ...(destination ? { destination, pretty: false } : {}) });
}
