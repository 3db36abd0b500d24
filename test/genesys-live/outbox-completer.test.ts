// What Genesys facts leave out is filled in when the hook call is sent (issue 10 item 6, issue 13 item 6):
// agent name/email from the Users API and queue name from the Routing API (cached, bounded in time, sent
// without on failure), and digital message text (a failed fetch waits and is tried again; past the deadline,
// or with no text at all, the call is given up on with its reason).
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingCall } from '../../src/core/adapter.js';
import type { Intent } from '../../src/core/intents.js';
import { buildHookBody, DEFAULT_WIRE_OPTIONS } from '../../src/agentai/bodies.js';
import type { GenesysApi } from '../../adapters/genesys/live/api.js';
import { Directory } from '../../adapters/genesys/live/enrich.js';
import { fetchMessage } from '../../adapters/genesys/live/messages.js';
import { SdkGenesysApi } from '../../adapters/genesys/live/sdk.js';
import { GenesysOutboxCompleter, type CompletionSources } from '../../adapters/genesys/outbox-completer.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { QUEUE_SUPPORT, USERS } from '../fixtures/genesys/scenarios.js';
import { SIM_CLIENT, startSim } from './helpers.js';

const silent = pino({ level: 'silent' });
let sim: GenesysSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const ctx = { conversationId: 'c1', botId: 'st-bot', source: 'genesys' };

function call(intent: Intent, extra: Partial<PendingCall> = {}): PendingCall {
  return { conversationId: 'c1', kind: intent.kind, bodyJson: JSON.stringify(buildHookBody(intent, ctx, DEFAULT_WIRE_OPTIONS)), queuedAt: 1_000, ...extra };
}

const entry: Intent = { kind: 'transfer', transferType: 'NA', transition: 'entry', agent: { identity: USERS.alice.id, queueId: QUEUE_SUPPORT }, experience: 'voice', language: 'en' };
const message: Intent = { kind: 'message', author: 'USER', text: '', messageId: 'm1', agentId: USERS.alice.id, textRef: 'conv-1:m1', experience: 'chat', language: 'en' };

function completer(sources: Partial<CompletionSources>, now = 2_000, deadlineMs = 60_000): GenesysOutboxCompleter {
  const none = async (): Promise<undefined> => undefined;
  return new GenesysOutboxCompleter(
    { user: none, queue: none, message: () => Promise.reject(new Error('no message source')), ...sources },
    { messageTextDeadlineMs: deadlineMs, now: () => now },
  );
}

function participantOf(bodyJson: string): unknown {
  return (JSON.parse(bodyJson) as { events: [{ participant: unknown }] }).events[0].participant;
}

describe('names at send time', () => {
  it('adds name, email and queue name from the Users and Routing APIs (real SDK, simulated org), cached', async () => {
    sim = await startSim();
    const api = new SdkGenesysApi({ ...SIM_CLIENT, environment: 'mypurecloud.com', gatewayUrl: sim.url, requestTimeoutMs: 5000, rateLimitRetries: 3, logger: silent, signal: new AbortController().signal });
    await api.login();
    const directory = new Directory(api, 2000, 60_000);
    const c = completer({ user: (id) => directory.user(id), queue: (id) => directory.queue(id) });
    const done = await c.complete(call(entry));
    expect(done.kind).toBe('ready');
    expect(done.kind === 'ready' && participantOf(done.bodyJson)).toEqual({
      identity: USERS.alice.id,
      name: USERS.alice.name,
      type: 'agent',
      customFields: { agentEmail: 'alice@example.com', queueId: QUEUE_SUPPORT, queueName: 'Support' },
    });
    const before = sim.counters.requests;
    await c.complete(call({ kind: 'end', agent: entry.kind === 'transfer' ? entry.agent : { identity: 'x' }, experience: 'voice', language: 'en' }));
    expect(sim.counters.requests).toBe(before);
    // The queue name is now known without asking: bot selection by queue name needs no lookup at ingest.
    expect(directory.queueNameNow(QUEUE_SUPPORT)).toBe('Support');
  });

  it('never holds a call longer than the lookup timeout; a failed lookup sends what is known', async () => {
    const hang = new Promise<never>(() => undefined);
    const api = { getUser: () => hang, getQueue: () => Promise.reject(new Error('403')) } as unknown as GenesysApi;
    const directory = new Directory(api, 100, 60_000);
    const c = completer({ user: (id) => directory.user(id), queue: (id) => directory.queue(id) });
    const t0 = Date.now();
    const done = await c.complete(call(entry));
    expect(Date.now() - t0).toBeLessThan(500);
    expect(done).toEqual({ kind: 'ready', bodyJson: call(entry).bodyJson });
  });
});

describe('digital message text at send time', () => {
  const entities = (list: unknown[]): GenesysApi => ({ getMessages: () => Promise.resolve(list) }) as unknown as GenesysApi;

  it('reads normalizedMessage.text, falls back to textBody, and sees a textless message as such', async () => {
    const api = entities([
      { id: 'm1', direction: 'inbound', normalizedMessage: { text: ' hello ' } },
      { id: 'm2', direction: 'outbound', textBody: 'hi there' },
      { id: 'm3', direction: 'inbound', normalizedMessage: { type: 'Event' } },
    ]);
    expect(await fetchMessage(api, 'conv-1', 'm1', 1000)).toEqual({ kind: 'text', text: 'hello', direction: 'inbound' });
    expect(await fetchMessage(api, 'conv-1', 'm2', 1000)).toEqual({ kind: 'text', text: 'hi there', direction: 'outbound' });
    expect(await fetchMessage(api, 'conv-1', 'm3', 1000)).toEqual({ kind: 'no-text' });
    expect(await fetchMessage(api, 'conv-1', 'm4', 1000)).toEqual({ kind: 'missing' });
  });

  it('fills the text in; the fetched direction decides the author', async () => {
    const asked: string[] = [];
    const c = completer({
      message: async (conversationId, messageId) => {
        asked.push(`${conversationId}/${messageId}`);
        return { kind: 'text', text: 'my order is late', direction: 'outbound' };
      },
    });
    const done = await c.complete(call(message, { ref: 'conv-1:m1' }));
    expect(asked).toEqual(['conv-1/m1']);
    expect(done.kind === 'ready' && JSON.parse(done.bodyJson)).toMatchObject({ query: 'my order is late', author: { type: 'AGENT' }, sendUserMessage: false, sendAgentMessage: true });
  });

  it('a failed fetch is retried (never skipped) until the deadline, then a dead letter with the reason', async () => {
    const failing = { message: () => Promise.reject(new Error('HTTP 503')) };
    expect(await completer(failing, 2_000, 60_000).complete(call(message, { ref: 'conv-1:m1' }))).toEqual({ kind: 'retry', error: 'genesys: message text not fetched yet: HTTP 503', retryInMs: 500 });
    // Spaced out as the wait grows (half the time waited so far, at most a minute).
    expect(await completer(failing, 41_000, 60_000).complete(call(message, { ref: 'conv-1:m1' }))).toMatchObject({ kind: 'retry', retryInMs: 20_000 });
    const late = await completer(failing, 61_000, 60_000).complete(call(message, { ref: 'conv-1:m1' }));
    expect(late.kind).toBe('give-up');
    expect(late.kind === 'give-up' && late.reason).toMatch(/within 60000 ms \(GENESYS_MESSAGE_TEXT_DEADLINE_MS\): HTTP 503/);
    const missing = await completer({ message: async () => ({ kind: 'missing' }) }).complete(call(message, { ref: 'conv-1:m1' }));
    expect(missing.kind).toBe('retry');
  });

  it('a message with no text at all is not forwarded, and says why', async () => {
    const done = await completer({ message: async () => ({ kind: 'no-text' }) }).complete(call(message, { ref: 'conv-1:m1' }));
    expect(done).toEqual({ kind: 'give-up', reason: 'not forwarded: Genesys message m1 has no text (media only, a receipt or a typing event)' });
  });

  it('transcription messages (no reference) and summaries go as they are', async () => {
    const spoken: Intent = { ...message, text: 'hello', textRef: undefined } as Intent;
    const c = completer({});
    expect(await c.complete(call(spoken))).toEqual({ kind: 'ready', bodyJson: call(spoken).bodyJson });
    const summary: Intent = { kind: 'summary', experience: 'voice', language: 'en' };
    expect(await c.complete(call(summary))).toEqual({ kind: 'ready', bodyJson: call(summary).bodyJson });
  });
});
