// Entry point of the live Genesys adapter: `createGenesysLiveAdapter(deps)` for the adapter module.
import type { Adapter } from '../../../src/core/adapter.js';
import type { AdapterDeps } from '../../../src/runtime/adapter-module.js';
import { GenesysLiveAdapter } from './adapter.js';
import { liveOptions } from './options.js';
import { SdkGenesysApi } from './sdk.js';

export { GenesysLiveAdapter } from './adapter.js';
export type { GenesysApi } from './api.js';

export function createGenesysLiveAdapter(deps: AdapterDeps): Adapter {
  return createGenesysLive(deps).adapter;
}

/**
 * The adapter and the SDK client it keeps logged in (the summary write-back reuses that client). The client is
 * handed out as a function: building it loads the SDK, which waits for the first call that needs it.
 */
export function createGenesysLive(deps: AdapterDeps): { adapter: GenesysLiveAdapter; client: () => SdkGenesysApi['client'] } {
  const options = liveOptions(deps.config);
  let sdk: SdkGenesysApi | undefined;
  const adapter = new GenesysLiveAdapter({
    options,
    logger: deps.logger,
    metrics: deps.metrics,
    api: (signal) =>
      (sdk = new SdkGenesysApi({
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        environment: options.environment,
        gatewayUrl: options.gatewayUrl,
        requestTimeoutMs: options.requestTimeoutMs,
        rateLimitRetries: options.rateLimitRetries,
        logger: deps.logger,
        signal,
      })),
  });
  const api = sdk;
  if (!api) throw new Error('genesys: the live adapter did not build its SDK client');
  return { adapter, client: () => api.client };
}
