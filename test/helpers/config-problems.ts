// The problem lines a configuration is refused with (none if it loads).
import { ConfigError, loadConfig } from '../../src/config/load.js';

export function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  return [];
}
