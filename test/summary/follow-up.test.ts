// The summary follow-up end to end: delivery (the real Dispatcher) posts TRIGGER_SUMMARY_EVENT to the fake
// Agent AI, onDelivered starts the follow-up, which polls conversationDetails until the summary appears, then
// writes it on the last agent's Genesys participant through the SDK (the simulated org, src/sim/genesys). Also: durability across
// a restart, the deadline, write retries, redial fallback, and the switches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGenesysSummaryWriter } from '../../adapters/genesys/summary-writeback.js';
import { AgentAiClient, buildHookBody, DEFAULT_WIRE_OPTIONS } from '../../src/agentai/index.js';
import { ConversationDetailsClient } from '../../src/agentai/summary-client.js';
import { initialState, type ConversationState } from '../../src/core/conversation-state.js';
import type { Intent } from '../../src/core/intents.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { NewOutboxRow, OutboxRow, Store } from '../../src/store/types.js';
import { conversationLookup, SummaryFollowUp, type SummaryFollowUpOptions } from '../../src/summary/follow-up.js';
import { openSummaryStore, type SummaryStore } from '../../src/summary/summary-store.js';
import { SummaryWriteError, type SummaryWriter, type SummaryWriteRequest } from '../../src/summary/writer.js';
import { BOT, playConversation, quietLogger, waitUntil } from './helpers.js';
import { CounterDelta, seedConversation, startSimGenesys, stopSimGenesys } from './sim-genesys.js';
import { seedRecord } from '../helpers/store-seed.js';

const SUMMARY_DELAY_MS = 200;
const KEY = 'agentai.summary';
const bots = new Map([['default', BOT]]);
const agent = { identity: 'user-A', name: 'Ann' };
const common = { experience: 'voice', language: 'en' } as const;

let fake: FakeAgentAi;
let genesys: GenesysSim;
let delta: CounterDelta;
let details: ConversationDetailsClient;
let dir: string;
let store: Store;
let summaries: SummaryStore;
const followUps: SummaryFollowUp[] = [];

const OPTIONS: SummaryFollowUpOptions = {
  poll: true,
  pollDeadlineMs: 3000,
  pollInitialDelayMs: 40,
  pollBackoffMaxMs: 80,
  writeBack: 'attribute',
  writeMaxAttempts: 3,
};

const genesysWriter = (): SummaryWriter => createGenesysSummaryWriter(platformClient.ApiClient, { mode: 'attribute', attributeName: KEY });

function followUp(over: { options?: Partial<SummaryFollowUpOptions>; writers?: ReadonlyMap<string, SummaryWriter>; summaries?: SummaryStore } = {}): SummaryFollowUp {
  const f = new SummaryFollowUp({
    store: over.summaries ?? summaries,
    source: details,
    bots,
    writers: over.writers ?? new Map([['genesys', genesysWriter()]]),
    lookup: conversationLookup(store),
    options: { ...OPTIONS, ...over.options },
    logger: quietLogger(),
  });
  followUps.push(f);
  return f;
}

/** The core store's record of a conversation whose last agent is user-A, fed by these platform conversations. */
async function recordConversation(id: string, platformIds: string[], outbox: NewOutboxRow[] = [], source = 'genesys'): Promise<void> {
  const state: ConversationState = { ...initialState(), phase: 'open', lastAgent: agent, platforms: Object.fromEntries(platformIds.map((p) => [p, { ended: true }])) };
  await seedRecord(store, { id, bot: 'default', source, state }, outbox);
}

/** What the Dispatcher hands onDelivered for a delivered TRIGGER_SUMMARY_EVENT. */
function summaryRow(conversationId: string): OutboxRow {
  return { id: 1, kind: 'summary', label: 'TRIGGER_SUMMARY_EVENT', bodyJson: '{}', conversationId, bot: 'default', source: 'genesys', event: 'TRIGGER_SUMMARY_EVENT', status: 'done', attempts: 1, nextAttemptAt: 0, createdAt: 0, factAt: 0 };
}

function seedGenesys(conversationId: string): void {
  seedConversation(genesys, conversationId, [
    { id: 'p-cust', purpose: 'customer', calls: ['call-c'] },
    { id: 'p-a', purpose: 'agent', userId: 'user-A', calls: ['call-a'] },
  ]);
}

const written = (conversationId: string, participantId: string): unknown => genesys.org.participantAttributes(conversationId, participantId)?.[KEY];

// The fake's clock runs this far behind the wall clock; a test that needs "no summary yet" holds it back.
let fakeClockLag = 0;

beforeAll(async () => {
  fake = await FakeAgentAi.start({ bots: [BOT], details: { summaryDelayMs: SUMMARY_DELAY_MS, now: () => Date.now() - fakeClockLag } });
  genesys = await startSimGenesys();
  details = new ConversationDetailsClient({ baseUrl: fake.url, tokenHeader: 'auth', jwt: { ttlSeconds: 300, jti: false }, retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 } });
});
afterAll(async () => {
  await details.close();
  await fake.close();
  await stopSimGenesys(genesys);
});
beforeEach(() => {
  fakeClockLag = 0;
  fake.reset();
  // Every test uses its own conversation ids, so the org needs no clearing: only the counters' baseline.
  delta = new CounterDelta(genesys);
  dir = mkdtempSync(join(tmpdir(), 'summary-'));
  store = openSqliteStore({ path: join(dir, 'bridge.sqlite') });
  summaries = openSummaryStore(join(dir, 'bridge.sqlite'));
});
afterEach(async () => {
  await Promise.all(followUps.splice(0).map((f) => f.stop()));
  await summaries.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('after TRIGGER_SUMMARY_EVENT is delivered', () => {
  it("polls until the summary exists, then writes it on the last agent's Genesys participant", async () => {
    const id = 'gc-e2e';
    seedGenesys(id);
    const body = (intent: Intent): unknown => buildHookBody(intent, { conversationId: id, botId: BOT.botId, source: 'genesys' }, DEFAULT_WIRE_OPTIONS);
    const row = (kind: NewOutboxRow['kind'], label: string, intent: Intent): NewOutboxRow => ({ kind, label, event: label, body: body(intent), factAt: Date.now() });
    await recordConversation(id, [id], [
      row('transfer', 'NA entry user-A', { kind: 'transfer', transferType: 'NA', transition: 'entry', agent, ...common }),
      row('message', 'message USER', { kind: 'message', author: 'USER', text: 'My card was charged twice', messageId: 'm1', agentId: 'user-A', ...common }),
      row('transfer', 'NA exit user-A', { kind: 'transfer', transferType: 'NA', transition: 'exit', agent, ...common }),
      row('summary', 'TRIGGER_SUMMARY_EVENT', { kind: 'summary', ...common }),
    ]);
    const f = followUp();
    const hooks = new AgentAiClient({ baseUrl: fake.url, hooksPath: '/agentassist/api/v1/hooks', tokenHeader: 'token', jwt: { ttlSeconds: 300, jti: false }, timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 }, connections: 2 });
    const delivered: string[] = [];
    const dispatcher = new Dispatcher({
      store,
      sender: { send: (b, json) => hooks.postHookJson(b, json) },
      bots,
      options: { maxInFlight: 4, maxAttempts: 3, maxAgeMs: 60_000, backoffBaseMs: 10, backoffMaxMs: 50, eocOnUnknownOutcome: 'skip', circuit: { failures: 5, probeBaseMs: 50, probeMaxMs: 500 } },
      logger: quietLogger(),
      onDelivered: (r) => {
        delivered.push(r.label);
        f.onDelivered(r);
      },
    });
    // Agent AI's summary is not there yet for the first polls (its clock is held back), then it appears.
    fakeClockLag = 3_600_000;
    try {
      await dispatcher.start();
      await waitUntil(async () => ((await summaries.get(id))?.polls ?? 0) >= 2);
      fakeClockLag = 0;
      await waitUntil(async () => (await summaries.get(id))?.status === 'written');
    } finally {
      await dispatcher.stop(1000);
      await hooks.close();
    }
    expect(delivered).toEqual(['NA entry user-A', 'message USER', 'NA exit user-A', 'TRIGGER_SUMMARY_EVENT']);
    const record = await summaries.get(id);
    expect(record?.summary).toContain('My card was charged twice');
    expect(record?.polls).toBeGreaterThan(1); // the first polls came before the fake had a summary
    expect(written(id, 'p-a')).toBe(record?.summary);
    const polls = fake.details.requests();
    expect(polls.every((p) => (p.body as { conversationId: string }).conversationId === id && (p.body as { isSummaryRequired: boolean }).isSummaryRequired)).toBe(true);
    expect(f.counts).toMatchObject({ awaited: 1, fetched: 1, written: 1 });
  });

  it('is idempotent: a second delivery of the trigger starts nothing, an already-written summary is "unchanged"', async () => {
    const id = 'gc-twice';
    seedGenesys(id);
    await recordConversation(id, [id]);
    await playConversation(fake.url, id, { trigger: true });
    const f = followUp();
    f.onDelivered(summaryRow(id));
    await waitUntil(async () => (await summaries.get(id))?.status === 'written');
    const patches = delta.of('attributePatches');
    f.onDelivered(summaryRow(id));
    await f.idle();
    expect(f.counts.awaited).toBe(1);
    expect(delta.of('attributePatches')).toBe(patches);

    // A fresh follow-up for the same conversation (e.g. its row was purged) reads Genesys and leaves it alone.
    await summaries.finish(id, 'written', undefined, Date.now());
    const other = openSummaryStore(':memory:');
    try {
      const g = followUp({ summaries: other });
      g.onDelivered(summaryRow(id));
      await waitUntil(async () => (await other.get(id))?.status === 'unchanged', 3000);
      expect(delta.of('attributePatches')).toBe(patches);
    } finally {
      await Promise.all(followUps.splice(-1).map((x) => x.stop()));
      await other.close();
    }
  });

  it('survives a restart: the awaited summary is polled and written by the next process', async () => {
    const id = 'gc-restart';
    seedGenesys(id);
    await recordConversation(id, [id]);
    await playConversation(fake.url, id, { trigger: true });
    const first = followUp({ options: { pollInitialDelayMs: SUMMARY_DELAY_MS + 50 } });
    first.onDelivered(summaryRow(id));
    await first.stop(); // the process stops before the first poll
    await summaries.close();
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 0 });

    summaries = openSummaryStore(join(dir, 'bridge.sqlite'));
    expect((await summaries.open()).map((r) => r.conversationId)).toEqual([id]);
    // The restarted process resumes the open row at its nextAt, with no new onDelivered.
    const second = followUp();
    second.start();
    await waitUntil(async () => (await summaries.get(id))?.status === 'written');
    expect(second.counts).toMatchObject({ awaited: 0, fetched: 1, written: 1 });
    expect(written(id, 'p-a')).toContain('My parcel never arrived');
  });

  it('gives up at the deadline when no summary comes', async () => {
    const id = 'gc-nosummary';
    seedGenesys(id);
    await recordConversation(id, [id]);
    await playConversation(fake.url, id, { trigger: false }); // Agent AI never got the trigger
    // The deadline is many poll intervals long, so a loaded machine still fits more than one poll in it.
    const f = followUp({ options: { pollDeadlineMs: 600, pollInitialDelayMs: 20, pollBackoffMaxMs: 60 } });
    const t0 = Date.now();
    f.onDelivered(summaryRow(id));
    await waitUntil(async () => (await summaries.get(id))?.status === 'expired', 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    expect((await summaries.get(id))?.polls).toBeGreaterThanOrEqual(2);
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 0 });
  });

  it('retries a failed write-back (Genesys 503), then succeeds', async () => {
    const id = 'gc-flaky';
    seedGenesys(id);
    await recordConversation(id, [id]);
    await playConversation(fake.url, id, { trigger: true });
    genesys.failRequests(503, 1, 'PATCH');
    const f = followUp({ options: { pollInitialDelayMs: SUMMARY_DELAY_MS + 20 } });
    f.onDelivered(summaryRow(id));
    await waitUntil(async () => (await summaries.get(id))?.status === 'written');
    expect((await summaries.get(id))?.writeAttempts).toBe(1);
    // the first PATCH was answered 503, the second went through
    expect({ failed: delta.of('failed'), patches: delta.of('attributePatches') }).toEqual({ failed: 1, patches: 1 });
    expect(written(id, 'p-a')).toBe((await summaries.get(id))?.summary);
  });

  it('fails for good after writeMaxAttempts, or at once on a final error', async () => {
    const calls: SummaryWriteRequest[] = [];
    const flaky: SummaryWriter = {
      write: async (r) => {
        calls.push(r);
        throw new SummaryWriteError('HTTP 503', true);
      },
    };
    const id = 'gc-broken';
    await recordConversation(id, [id]);
    await playConversation(fake.url, id, { trigger: true });
    const f = followUp({ writers: new Map([['genesys', flaky]]), options: { pollInitialDelayMs: SUMMARY_DELAY_MS + 20, writeMaxAttempts: 3 } });
    f.onDelivered(summaryRow(id));
    await waitUntil(async () => (await summaries.get(id))?.status === 'failed', 4000);
    expect(calls).toHaveLength(3);
    expect((await summaries.get(id))?.lastError).toContain('gave up after 3 write attempts');

    const refused: SummaryWriter = {
      write: async () => {
        throw new SummaryWriteError('HTTP 403: missing permission', false);
      },
    };
    await recordConversation('gc-403', ['gc-403']);
    await playConversation(fake.url, 'gc-403', { trigger: true });
    const g = followUp({ writers: new Map([['genesys', refused]]), options: { pollInitialDelayMs: SUMMARY_DELAY_MS + 20 } });
    g.onDelivered(summaryRow('gc-403'));
    await waitUntil(async () => (await summaries.get('gc-403'))?.status === 'failed', 4000);
    expect((await summaries.get('gc-403'))).toMatchObject({ writeAttempts: 0, lastError: 'HTTP 403: missing permission' });
  });

  it('tries the newest platform conversation first and falls back when the agent is not in it (redial)', async () => {
    const id = 'gc-first';
    seedGenesys(id); // user-A is only in the first platform conversation
    seedConversation(genesys, 'gc-redial', [{ id: 'p-x', purpose: 'agent', userId: 'user-B', calls: ['call-x'] }]);
    await recordConversation(id, [id, 'gc-redial']);
    await playConversation(fake.url, id, { trigger: true });
    const f = followUp({ options: { pollInitialDelayMs: SUMMARY_DELAY_MS + 20 } });
    f.onDelivered(summaryRow(id));
    await waitUntil(async () => (await summaries.get(id))?.status === 'written');
    expect((await summaries.get(id))?.platformIds).toEqual(['gc-redial', id]);
    expect(delta.of('conversationGets')).toBe(2); // gc-redial, then the first
    expect(written(id, 'p-a')).toBeDefined();
    expect(written('gc-redial', 'p-x')).toBeUndefined();
  });

  it('falls back to the next platform conversation when Genesys answers 404 for one (purged or unknown)', async () => {
    const id = 'gc-kept';
    seedGenesys(id); // the newest platform conversation, gc-purged, is unknown to the org
    await recordConversation(id, [id, 'gc-purged']);
    await playConversation(fake.url, id, { trigger: true });
    const f = followUp({ options: { pollInitialDelayMs: SUMMARY_DELAY_MS + 20 } });
    f.onDelivered(summaryRow(id));
    await waitUntil(async () => (await summaries.get(id))?.status === 'written');
    expect((await summaries.get(id))?.platformIds).toEqual(['gc-purged', id]);
    expect(delta.of('conversationGets')).toBe(2);
    expect(written(id, 'p-a')).toBe((await summaries.get(id))?.summary);
  });

  it('keeps the summary without writing when write-back is none, or the source has no writer (Ada)', async () => {
    await playConversation(fake.url, 'gc-none', { trigger: true });
    await playConversation(fake.url, 'ada-1', { trigger: true });
    await recordConversation('gc-none', ['gc-none']);
    await recordConversation('ada-1', ['ada-1'], [], 'ada');
    const f = followUp({ options: { writeBack: 'none', pollInitialDelayMs: SUMMARY_DELAY_MS + 20 } });
    const g = followUp({ options: { pollInitialDelayMs: SUMMARY_DELAY_MS + 20 } });
    f.onDelivered(summaryRow('gc-none'));
    g.onDelivered(summaryRow('ada-1'));
    await waitUntil(async () => (await summaries.get('gc-none'))?.status === 'stored' && (await summaries.get('ada-1'))?.status === 'stored');
    expect((await summaries.get('gc-none'))?.lastError).toContain('SUMMARY_WRITE_BACK=none');
    expect((await summaries.get('ada-1'))?.lastError).toContain('no summary writer for source "ada"');
    expect((await summaries.get('ada-1'))?.summary).toBeDefined();
    expect(delta.of('requests')).toBe(0);
  });

  it('does nothing when polling is off, and ignores rows that are not the summary trigger', async () => {
    await recordConversation('gc-off', ['gc-off']);
    const off = followUp({ options: { poll: false } });
    off.onDelivered(summaryRow('gc-off'));
    const on = followUp();
    on.onDelivered({ ...summaryRow('gc-off'), kind: 'end', label: 'END_OF_CONVERSATION' });
    await Promise.all([off.idle(), on.idle()]);
    expect((await summaries.get('gc-off'))).toBeUndefined();
    expect(fake.details.requests()).toHaveLength(0);
  });
});
