// The simulated Genesys org (src/sim/genesys) as the summary tests use it: started with known client
// credentials, the SDK's ApiClient pointed at it and logged in, conversations seeded through the org's own
// conversation model (src/sim/genesys/model), and the write counters read as deltas.
import platformClient from 'purecloud-platform-client-v2';
import { MessagingConversation } from '../../src/sim/genesys/model/messaging.js';
import { VoiceConversation } from '../../src/sim/genesys/model/voice.js';
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
  /** Message communication id (digital): one messages[] leg per participant. */
  readonly messages?: readonly string[];
}

const START_MS = Date.parse('2024-05-01T10:00:00.000Z');
/** Every seeded leg connects at the start and disconnects five minutes later. */
const TALK_SECONDS = 300;

/**
 * Records an ended conversation in the org, as if its last notification had been published: built on the
 * org's own conversation model, digital when any participant has messages, voice otherwise.
 */
export function seedConversation(sim: GenesysSim, conversationId: string, participants: readonly SeedParticipant[]): void {
  const digital = participants.some((p) => (p.messages ?? []).length > 0);
  sim.org.record(digital ? seedMessaging(conversationId, participants) : seedVoice(conversationId, participants));
}

function seedVoice(conversationId: string, participants: readonly SeedParticipant[]): Record<string, unknown> {
  const c = new VoiceConversation(conversationId, START_MS);
  for (const seed of participants) {
    const calls = seed.calls ?? [];
    const callId = calls[calls.length - 1];
    const p = c.add(seed.purpose, { id: seed.id, callId: callId ?? `${seed.id}-call`, noCall: callId === undefined, ...(seed.userId ? { userId: seed.userId } : {}) }, 0, 'alerting');
    if (seed.attributes) p.attributes = { ...seed.attributes };
    c.connect(p, 0);
    c.disconnect(p, TALK_SECONDS, 'client');
    p.earlierCalls = calls.slice(0, -1).map((id) => ({ ...p.call, id }));
  }
  return c.nested();
}

function seedMessaging(conversationId: string, participants: readonly SeedParticipant[]): Record<string, unknown> {
  const c = new MessagingConversation(conversationId, START_MS);
  for (const seed of participants) {
    if ((seed.messages ?? []).length > 1 || (seed.calls ?? []).length > 0) throw new Error(`seed ${seed.id}: a digital participant has one message leg and no calls`);
    const legId = (seed.messages ?? [])[0];
    const p = c.add(seed.purpose, { id: seed.id, ...(legId ? { legId } : {}), ...(seed.userId ? { userId: seed.userId } : {}) }, 0, 'alerting');
    if (seed.attributes) p.attributes = { ...seed.attributes };
    c.connect(p, 0);
    c.disconnect(p, TALK_SECONDS, 'client');
  }
  return c.nested();
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
