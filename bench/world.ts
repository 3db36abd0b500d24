// The simulated world a bench daemon runs in: the Genesys org (with the bench's queue and agents) and the
// Agent AI receiver, both in the bench process; and the environment that points `agentai-bridge run` at them.
import { FakeAgentAi } from '../src/sim/agentai-receiver.js';
import { GenesysSim } from '../src/sim/genesys/server.js';
import { BOT, bridgeEnv } from './common.js';
import { prepareOrg } from './frame-source.js';

export const GENESYS = { clientId: 'bench-genesys-client', clientSecret: 'bench-genesys-secret-0123456789' };

export function daemonEnv(sim: GenesysSim, fake: FakeAgentAi, dataDir: string): NodeJS.ProcessEnv {
  return bridgeEnv(fake.url, dataDir, {
    BRIDGE_ADAPTERS: 'genesys',
    BRIDGE_HTTP_PORT: '0',
    BRIDGE_HTTP_HOST: '127.0.0.1',
    GENESYS_CLIENT_ID: GENESYS.clientId,
    GENESYS_CLIENT_SECRET: GENESYS.clientSecret,
    GENESYS_GATEWAY_URL: sim.url,
    GENESYS_QUEUE_IDS: 'all',
  });
}

export async function withWorld<T>(body: (sim: GenesysSim, fake: FakeAgentAi) => Promise<T>): Promise<T> {
  const sim = await GenesysSim.start({ ...GENESYS });
  prepareOrg(sim);
  const fake = await FakeAgentAi.start({ bots: [BOT] });
  try {
    return await body(sim, fake);
  } finally {
    await fake.close();
    await sim.close();
  }
}
