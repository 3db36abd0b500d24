// The problem lines a configuration is refused with (none if it loads), with the adapters of the build.
// `live`: as `run` and `check-config` load it.
import { adapterModules } from '../../adapters/index.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

export function problems(env: NodeJS.ProcessEnv, live = false): string[] {
  try {
    loadConfig({ env, live, modules: adapterModules });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  return [];
}
