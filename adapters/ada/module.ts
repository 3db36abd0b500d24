// Ada as a bridge adapter module: a live, push-based adapter (a webhook route); Ada has no recorded format.
import type { AdapterModule } from '../../src/runtime/adapter-module.js';
import { createAdaAdapter } from './adapter.js';

export const adaModule: AdapterModule = {
  name: 'ada',
  createAdapter: ({ config, metrics }) => {
    metrics.presetWebhooks('ada');
    return createAdaAdapter({
      path: config.ada.path,
      secrets: config.ada.webhookSecrets,
      toleranceSeconds: config.ada.toleranceSeconds,
      orderingBufferMs: config.ada.orderingBufferMs,
      forwardAiAgentMessages: config.ada.forwardAiAgentMessages,
      dedupeCacheSize: config.ada.dedupeCacheSize,
      conversationTtlMs: config.ada.conversationTtlMs,
      onRejected: (reason) => metrics.webhookRejected.inc({ adapter: 'ada', reason }),
    });
  },
};
