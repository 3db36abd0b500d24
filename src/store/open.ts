// Which store a configuration asks for. Every command that reads or writes the bridge's state opens it here,
// so the daemon, replay and the operator commands agree on where that state lives: the SQLite file in
// BRIDGE_DATA_DIR, or (BRIDGE_STORE=postgres) the schema BRIDGE_POSTGRES_SCHEMA that all replicas share.
import { join } from 'node:path';
import type { BridgeConfig } from '../config/load.js';
import { openSqliteStore } from './sqlite.js';
import { openPostgresStore } from './postgres.js';
import type { Store } from './types.js';

export function sqlitePath(dataDir: string): string {
  return join(dataDir, 'bridge.sqlite');
}

export interface OpenStoreOptions {
  /** SQLite: a data dir other than the configured one (replay's scratch dir). */
  readonly dataDir?: string;
  /** PostgreSQL: who this process's delivery claims belong to (unique per process). */
  readonly holder?: string;
}

export async function openStore(config: BridgeConfig, options: OpenStoreOptions = {}): Promise<Store> {
  if (config.bridge.store === 'postgres' && options.dataDir === undefined) {
    return openPostgresStore({
      url: config.postgres.url,
      schema: config.postgres.schema,
      poolSize: config.postgres.poolSize,
      claimTtlMs: config.replica.claimTtlMs,
      ...(options.holder ? { holder: options.holder } : {}),
    });
  }
  return openSqliteStore({ path: sqlitePath(options.dataDir ?? config.bridge.dataDir), sync: config.bridge.storeSync });
}
