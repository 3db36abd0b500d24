// `agentai-bridge check-config`: validates the configuration and prints the effective values, secrets masked.
// Under BRIDGE_STORE=postgres it also makes sure the database can be reached and used.
import { maskedConfig } from '../config/load.js';
import { probePostgres } from '../store/postgres-probe.js';
import { EXIT, println, type CliContext } from './context.js';
import { loadOrExplain } from './setup.js';

export async function checkConfigCommand(ctx: CliContext): Promise<number> {
  const config = loadOrExplain(ctx, undefined, true);
  if (typeof config === 'number') return config;
  println(ctx.stdout, JSON.stringify(maskedConfig(config, ctx.modules), null, 2));
  let store = `sqlite in ${config.bridge.dataDir}`;
  if (config.bridge.store === 'postgres') {
    try {
      const probe = await probePostgres(config.postgres.url, config.postgres.schema);
      store = `postgres schema ${config.postgres.schema} at version ${probe.version} (this release: ${probe.known}${probe.version < probe.known ? ', migrated at the next run' : ''})`;
    } catch (err) {
      println(ctx.stderr, `config error: postgres.url (BRIDGE_POSTGRES_URL): ${err instanceof Error ? err.message : String(err)}`);
      println(ctx.stderr, '1 configuration problem(s); nothing was started. See README "Configuration".');
      return EXIT.config;
    }
  }
  println(ctx.stderr, `configuration ok: ${config.bots.length} bot(s), adapters: ${config.bridge.adapters.join(', ')}, store: ${store}`);
  return EXIT.ok;
}
