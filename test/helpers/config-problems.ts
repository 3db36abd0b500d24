// The problem lines a configuration is refused with (none if it loads), with the adapters of the build.
import { adapterModules } from '../../adapters/index.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

export function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ env, modules: adapterModules });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  return [];
}
