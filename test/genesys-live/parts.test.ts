// The live adapter's parts against the simulated org through the real SDK: SDK set-up, queue resolution
// with paging, topic packing, rejected topics, transcription topics, gap-only conversations. Names and message
// texts filled in at send time: outbox-completer.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveQueues } from '../../adapters/genesys/live/queues.js';
import { createSdkClient, SdkGenesysApi } from '../../adapters/genesys/live/sdk.js';
import { baseTopics, planChannels } from '../../adapters/genesys/live/topic-plan.js';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { CONVERSATIONS, QUEUE_SUPPORT, USERS } from '../fixtures/genesys/scenarios.js';
import { fixtureScript, logEvents, SIM_CLIENT, startRig, startSim, until, waitForEnds, type LiveRig } from './helpers.js';

const silent = pino({ level: 'silent' });
let sim: GenesysSim | undefined;
let rig: LiveRig | undefined;
afterEach(async () => {
  await sim?.close();
  await rig?.close();
  sim = undefined;
  rig = undefined;
});

function sdkApi(s: GenesysSim): SdkGenesysApi {
  return new SdkGenesysApi({ ...SIM_CLIENT, environment: 'mypurecloud.com', gatewayUrl: s.url, requestTimeoutMs: 5000, rateLimitRetries: 3, logger: silent, signal: new AbortController().signal });
}

describe('SDK client', () => {
  it('ignores ~/.genesyscloudjavascript/config and uses the region or the gateway', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(home, '.genesyscloudjavascript'));
    writeFileSync(join(home, '.genesyscloudjavascript', 'config'), '[gateway]\nhost=10.9.9.9\nprotocol=http\nport=9999\n[logging]\nlog_level=trace\nlog_to_console=true\n');
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const region = createSdkClient({ environment: 'mypurecloud.ie', gatewayUrl: '', requestTimeoutMs: 1000 });
      const cfg = region.config as unknown as { gateway?: unknown; basePath: string; authUrl: string; configPath: string; live_reload_config: boolean };
      expect(cfg.gateway).toBeUndefined();
      expect(cfg.basePath).toBe('https://api.mypurecloud.ie');
      expect(cfg.configPath).toBe('');
      expect(cfg.live_reload_config).toBe(false);
      const gw = createSdkClient({ environment: 'mypurecloud.com', gatewayUrl: 'http://127.0.0.1:4567', requestTimeoutMs: 1000 });
      expect((gw.config as unknown as { gateway: unknown }).gateway).toMatchObject({ host: '127.0.0.1', protocol: 'http', port: 4567 });
      // Each adapter has its own client: no shared global state between them.
      expect(gw).not.toBe(region);
    } finally {
      process.env.HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('logs in with client credentials and renews on 401; waits out 429 Retry-After', async () => {
    sim = await startSim();
    const api = sdkApi(sim);
    let renewals = 0;
    api.onUnauthorized = async () => {
      renewals += 1;
      await api.login();
    };
    const token = await api.login();
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3600_000);
    sim.expireTokens();
    expect(await api.createChannel()).toMatchObject({ connectUri: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/channels\//) });
    expect(renewals).toBe(1);
    sim.rateLimit(2, 0.2);
    const t0 = Date.now();
    await api.getUser(USERS.alice.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(sim.counters.rateLimited).toBe(2);
  });
});

describe('subscriptions', () => {
  it('packs topics at most 1000 - headroom a channel and at most maxChannels - 1 channels', () => {
    const queues = Array.from({ length: 2500 }, (_, i) => `q${i}`);
    const groups = planChannels(baseTopics(queues, [], ['conversations']), { perChannel: 1000, headroom: 200, maxChannels: 20 });
    expect(groups.map((g) => g.length)).toEqual([800, 800, 800, 100]);
    expect(() => planChannels(baseTopics(Array.from({ length: 16_000 }, (_, i) => `q${i}`), [], ['conversations']), { perChannel: 1000, headroom: 200, maxChannels: 20 })).toThrow(/at most 19/);
  });

  it('resolves queues by "all" and by name through the Routing API, paging', async () => {
    sim = await startSim();
    for (let i = 0; i < 230; i += 1) sim.org.addQueue({ id: `q-${i}`, name: `Queue ${i}` });
    const api = sdkApi(sim);
    await api.login();
    expect(await resolveQueues(api, ['all'], [])).toHaveLength(232);
    expect(await resolveQueues(api, [], ['support'])).toEqual([{ id: QUEUE_SUPPORT, name: 'Support' }]);
    await expect(resolveQueues(api, [], ['Nope'])).rejects.toThrow(/queue named "Nope"/);
  });

  it('a rejected topic is logged with its missing permissions; the conversation still completes', async () => {
    rig = await startRig(40, {}, { deniedTopicPrefixes: [{ prefix: 'v2.conversations.', permission: 'conversation:transcription:view' }] });
    await new ScriptPlayer(rig.sim).play(fixtureScript('transcription'), { speed: 40 });
    await waitForEnds(rig.h, [CONVERSATIONS.transcription]);
    expect(logEvents(rig.h, 'genesys.topic_rejected')).toMatchObject([{ missingPermissions: ['conversation:transcription:view'] }]);
    expect(rig.h.fake.labels(CONVERSATIONS.transcription).filter((l) => l.startsWith('message'))).toEqual([]);
  }, 20_000);

  it('a voice conversation\'s transcription topic is added when it gets an agent and removed at its end', async () => {
    rig = await startRig(40);
    const topic = `v2.conversations.${CONVERSATIONS.transcription}.transcription`;
    const seen: boolean[] = [];
    const r = rig;
    await new ScriptPlayer(r.sim).play(fixtureScript('transcription'), { speed: 40, onStep: () => seen.push(r.sim.subscribedTopics().has(topic)) });
    await waitForEnds(r.h, [CONVERSATIONS.transcription]);
    await r.adapter.idle();
    expect(seen[0]).toBe(false); // before the agent
    expect(seen).toContain(true);
    await until(() => !r.sim.subscribedTopics().has(topic), `${topic} unsubscribed after the conversation ended`, 5_000);
  }, 20_000);
});

describe('reconciliation of conversations that started and ended inside a gap', () => {
  for (const deliver of [true, false]) {
    it(`GENESYS_DELIVER_GAP_CONVERSATIONS=${deliver}`, async () => {
      rig = await startRig(80, { GENESYS_DELIVER_GAP_CONVERSATIONS: String(deliver) });
      // The socket is down for the whole conversation, and back once it is over.
      const restore = rig.sim.outage();
      await new ScriptPlayer(rig.sim).play(fixtureScript('standard'), { speed: 80 });
      restore();
      const r = rig;
      // Reconciliation after the gap either delivers the conversation or says why not.
      const done = (): boolean => (deliver ? r.h.fake.labels(CONVERSATIONS.standard).includes('END_OF_CONVERSATION') : logEvents(r.h, 'genesys.gap_conversation_skipped').length > 0);
      await r.h.fake.waitFor(done, 15_000);
      await rig.adapter.idle();
      await rig.h.bridge.dispatcher.whenIdle();
      if (deliver) {
        await waitForEnds(rig.h, [CONVERSATIONS.standard]);
        expect(rig.h.fake.labels(CONVERSATIONS.standard)).toEqual([`NA entry ${USERS.alice.id}`, `NA exit ${USERS.alice.id}`, 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION']);
      } else {
        expect(rig.h.fake.labels(CONVERSATIONS.standard)).toEqual([]);
        expect(logEvents(rig.h, 'genesys.gap_conversation_skipped')).toHaveLength(1);
      }
    }, 20_000);
  }
});
