// Genesys Cloud as a bridge adapter module: recorded notification frames decode through the same processor
// the live connection uses, so `replay` and the daemon turn identical frames into identical facts.
import type { Adapter } from '../../src/core/adapter.js';
import type { AdapterModule } from '../../src/runtime/adapter-module.js';
import { genesysConfig } from './config.js';
import { disconnectTypeLabel } from './disconnect.js';
import { GenesysFrameProcessor } from './frame-processor.js';
import { createGenesysLive, GenesysLiveAdapter } from './live/index.js';
import { createGenesysSummaryWriter } from './summary-writeback.js';

// The summary write-back uses the SDK client its live adapter keeps logged in (token renewal included).
const clients = new WeakMap<Adapter, ReturnType<typeof createGenesysLive>['client']>();

export const genesysModule: AdapterModule = {
  name: 'genesys',
  config: genesysConfig,
  singleSubscriber: true,
  createAdapter: (deps) => {
    const { adapter, client } = createGenesysLive(deps);
    clients.set(adapter, client);
    return adapter;
  },
  // Names and message texts are filled in at send time, by the live adapter that holds the API client.
  createOutboxCompleter: (_deps, adapter) => (adapter instanceof GenesysLiveAdapter ? adapter.outboxCompleter() : undefined),
  createSummaryWriter: ({ config }, adapter) => {
    const client = clients.get(adapter);
    if (config.summary.writeBack === 'none' || !client) return undefined;
    return createGenesysSummaryWriter(client, {
      mode: config.summary.writeBack,
      attributeName: config.summary.attributeName,
      wrapupCodeId: config.summary.wrapupCodeId,
    });
  },
  createFrameDecoder: ({ config, now, metrics }) => {
    const processor = new GenesysFrameProcessor({
      now,
      onUnknownDisconnectType: (value) => metrics.unknownDisconnectTypes.inc({ value: disconnectTypeLabel(value) }),
      onIgnored: (reason) => metrics.adapterIgnored.inc({ adapter: 'genesys', reason }),
      internalSpeechWithoutAgent: config.genesys.internalSpeechWithoutAgent,
    });
    return {
      decode(text) {
        const result = processor.process(text);
        return { facts: result.facts, warnings: result.warnings, ...(result.frameTime !== undefined ? { time: result.frameTime } : {}) };
      },
    };
  },
};
