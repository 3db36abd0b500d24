// `agentai-bridge check-config`: validates the configuration and prints the effective values, secrets masked.
import { maskedConfig } from '../config/load.js';
import { EXIT, println, type CliContext } from './context.js';
import { loadOrExplain } from './setup.js';

export function checkConfigCommand(ctx: CliContext): number {
  const config = loadOrExplain(ctx, undefined, true);
  if (typeof config === 'number') return config;
  println(ctx.stdout, JSON.stringify(maskedConfig(config), null, 2));
  println(ctx.stderr, `configuration ok: ${config.bots.length} bot(s), adapters: ${config.bridge.adapters.join(', ')}`);
  return EXIT.ok;
}
