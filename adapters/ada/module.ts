// Ada as a bridge adapter module: a live, push-based adapter (a webhook route); Ada has no recorded format.
import type { AdapterModule } from '../../src/runtime/adapter-module.js';
import { createAdaAdapter } from './adapter.js';
import { adaConfig, adaOptions } from './config.js';

export const adaModule: AdapterModule = {
  name: 'ada',
  config: adaConfig,
  createAdapter: ({ config, metrics }) => {
    metrics.presetWebhooks('ada');
    return createAdaAdapter({ ...adaOptions(config), metrics });
  },
};
