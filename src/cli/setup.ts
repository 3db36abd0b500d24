// Shared start-up of CLI commands: load the config (or print why not) and build the logger.
import type { Logger } from 'pino';
import type { DestinationStream } from 'pino';
import { ConfigError, loadConfig, type BridgeConfig, type LoadOptions } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
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

export function loggerFor(config: BridgeConfig, destination?: DestinationStream): Logger {
  return createLogger({ level: config.log.level, secrets: secretValues(config), ...(destination ? { destination, pretty: false } : {}) });
}
