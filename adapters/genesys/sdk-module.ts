// The Genesys SDK module, loaded on first use. It is large (about 0.3 s of CPU to load, over a second of wall
// time on a busy machine) and only the live adapter's REST calls and the summary write-back need it: replay,
// the other CLI commands and a restarted daemon's first deliveries must not wait for it. The SDK is CommonJS,
// so require() gives the same object the default import would (named imports fail at runtime).
import { createRequire } from 'node:module';
import type platformClient from 'purecloud-platform-client-v2';

export type GenesysSdk = typeof platformClient;

let loaded: GenesysSdk | undefined;

export function genesysSdk(): GenesysSdk {
  if (!loaded) {
    const sdk: GenesysSdk = createRequire(import.meta.url)('purecloud-platform-client-v2');
    loaded = sdk;
  }
  return loaded;
}
