// The simulated Genesys org (src/sim/genesys) as the summary tests use it: started with known client
// credentials, the SDK's ApiClient pointed at it and logged in, conversations seeded in the nested shape the
// org records from its own notifications, and the write counters read as deltas.
import platformClient from 'purecloud-platform-client-v2';
import { GenesysSim, type SimCounters } from '../../src/sim/genesys/server.js';

export const SIM_GENESYS = { clientId: 'summary-genesys-client', clientSecret: 'summary-genesys-secret' };

/** Starts a simulated org and logs the SDK's shared ApiClient in to it (setGateway over plain http). */
export async function startSimGenesys(): Promise<GenesysSim> {
  const sim = await GenesysSim.start(SIM_GENESYS);
  const url = new URL(sim.url);
  platformClient.ApiClient.setGateway({ host: url.hostname, protocol: 'http', port: Number(url.port), path_params_login: '', path_params_api: '' });
  await platformClient.ApiClient.loginClientCredentialsGrant(SIM_GENESYS.clientId, SIM_GENESYS.clientSecret);
  return sim;
}

export async function stopSimGenesys(sim: GenesysSim): Promise<void> {
  platformClient.ApiClient.setGateway(undefined as never);
  await sim.close();
}

export interface SeedParticipant {
  readonly id: string;
  readonly purpose: 'customer' | 'acd' | 'agent';
  readonly userId?: string;
  readonly attributes?: Record<string, string>;
  /** Call communication ids (voice), oldest first. */
  readonly calls?: readonly string[];
  /** Message communication ids (digital), oldest first. */
  readonly messages?: readonly string[];
}

const START = '2024-05-01T10:00:00.000Z';
const END = '2024-05-01T10:05:00.000Z';

/** Records an ended conversation in the org, as if its last notification had been published. */
export function seedConversation(sim: GenesysSim, conversationId: string, participants: readonly SeedParticipant[]): void {
  const leg = (id: string): Record<string, unknown> => ({ id, state: 'disconnected', direction: 'inbound', connectedTime: START, disconnectedTime: END, disconnectType: 'client' });
  sim.org.record({
    id: conversationId,
    participants: participants.map((p) => ({
      id: p.id,
      purpose: p.purpose,
      startTime: START,
      endTime: END,
      ...(p.userId ? { userId: p.userId } : {}),
      attributes: { ...p.attributes },
      calls: (p.calls ?? []).map(leg),
      callbacks: [],
      chats: [],
      emails: [],
      messages: (p.messages ?? []).map(leg),
    })),
  });
}

type Counter = keyof SimCounters;

/** Counter deltas since the last mark(): what the code under test did to the org. */
export class CounterDelta {
  #base: SimCounters;

  constructor(private readonly sim: GenesysSim) {
    this.#base = { ...sim.counters };
  }

  mark(): void {
    this.#base = { ...this.sim.counters };
  }

  of(counter: Counter): number {
    return this.sim.counters[counter] - this.#base[counter];
  }

  /** Participant writes (attribute PATCHes, wrap-up POSTs) that reached their route. */
  writes(): { patches: number; wrapups: number } {
    return { patches: this.of('attributePatches'), wrapups: this.of('wrapupPosts') };
  }
}
