// Which store a configuration asks for. Every command that reads or writes the bridge's state opens it here,
// so the daemon, replay and the operator commands agree on where that state lives.
import { join } from 'node:path';
import type { BridgeConfig } from '../config/load.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export function sqlitePath(dataDir: string): string {
  return join(dataDir, 'bridge.sqlite');
}

export async function openStore(config: BridgeConfig, options: { dataDir?: string } = {}): Promise<Store> {
  return openSqliteStore({ path: sqlitePath(options.dataDir ?? config.bridge.dataDir), sync: config.bridge.storeSync });
}
