// The Conversation Details client against the fake Agent AI's conversationDetails endpoint, which answers in
// the shape of the seed's sample response: auth header, summary only after TRIGGER_SUMMARY_EVENT (and a delay),
// skip/limit paging, retries on 429 with Retry-After, final errors.
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { conversationDetailsSchema, messageText, summaryText } from '../../src/agentai/details-schema.js';
import { ConversationDetailsClient, DetailsError, type ConversationDetailsClientOptions } from '../../src/agentai/summary-client.js';
import { PerBotThrottle } from '../../src/agentai/throttle.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { BOT, playConversation } from './helpers.js';

const SUMMARY_DELAY_MS = 150;
const seedSample: unknown = JSON.parse(readFileSync(new URL('./fixtures/seed-sample-response.json', import.meta.url), 'utf8'));

let fake: FakeAgentAi;
const clients: ConversationDetailsClient[] = [];

function client(over: Partial<ConversationDetailsClientOptions> = {}): ConversationDetailsClient {
  const c = new ConversationDetailsClient({
    baseUrl: fake.url,
    tokenHeader: 'auth',
    jwt: { ttlSeconds: 300, jti: false },
    retry: { maxAttempts: 4, baseMs: 5, maxMs: 20 },
    ...over,
  });
  clients.push(c);
  return c;
}

const isDetailsBody = (b: unknown): boolean => typeof b === 'object' && b !== null && 'isSummaryRequired' in b;

beforeAll(async () => {
  fake = await FakeAgentAi.start({ bots: [BOT], details: { summaryDelayMs: SUMMARY_DELAY_MS } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await fake.close();
});
beforeEach(() => fake.reset());

describe('the seed sample', () => {
  it('parses with the client schema, summary and message text included', () => {
    const details = conversationDetailsSchema.parse(seedSample);
    expect(summaryText(details)).toBe('agent will need to get an agent on the line to help customer with that.');
    expect(details.conversationHistory?.map(messageText)).toEqual([
      'Agent transfer initiated',
      'I will need to get an agent on the line to help you with that. Please hold while I find an available agent.',
      'sending a ctrl message to CS',
    ]);
  });

  it("is what the fake's answer looks like (same top-level, conversationInfo and history message keys)", async () => {
    await playConversation(fake.url, 'conv-shape', { trigger: true });
    fake.details.script('conv-shape', { summaryAvailable: true });
    const raw = await rawDetails('conv-shape', { conversationId: 'conv-shape', isSummaryRequired: true });
    expect(raw.status).toBe(200);
    const sample = seedSample as Record<string, Record<string, unknown> & unknown[]>;
    const got = raw.json as Record<string, Record<string, unknown> & unknown[]>;
    expect(Object.keys(got).sort()).toEqual(Object.keys(sample).sort());
    expect(Object.keys(got['conversationInfo'] ?? {}).sort()).toEqual(Object.keys(sample['conversationInfo'] ?? {}).sort());
    const sampleKeys = Object.keys((sample['conversationHistory']?.[0] ?? {}) as object);
    const gotKeys = Object.keys((got['conversationHistory']?.[0] ?? {}) as object);
    for (const key of ['channels', 'type', 'status', 'createdOn', 'createdBy', 'components', 'lang', 'timestampValue']) {
      expect(sampleKeys).toContain(key);
      expect(gotKeys).toContain(key);
    }
    expect(Object.keys(got['summary'] ?? {}).sort()).toEqual(['ConversationSummary', 'time']);
  });
});

async function rawDetails(_id: string, body: unknown, token?: string | null, header = 'auth'): Promise<{ status: number; json: unknown }> {
  const jwt =
    token === undefined
      ? await new SignJWT({ appId: BOT.clientId }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(BOT.clientSecret))
      : token;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (jwt !== null) headers[header] = jwt;
  const res = await fetch(`${fake.url}/api/public/bot/${BOT.botId}/conversationDetails`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as unknown };
}

describe('fake conversationDetails endpoint', () => {
  it('verifies the JWT in the auth header like the hooks', async () => {
    await playConversation(fake.url, 'conv-auth', { trigger: false });
    expect((await rawDetails('conv-auth', { conversationId: 'conv-auth' }, null)).status).toBe(401);
    expect((await rawDetails('conv-auth', { conversationId: 'conv-auth' }, 'not-a-jwt')).status).toBe(401);
    expect((await rawDetails('conv-auth', { conversationId: 'conv-auth' }, undefined, 'token')).status).toBe(401);
    expect((await rawDetails('conv-auth', { conversationId: 'conv-auth' })).status).toBe(200);
  });

  it('answers 404 for a conversation it never saw and 400 for a body without an id', async () => {
    expect((await rawDetails('x', { conversationId: 'never-seen' })).status).toBe(404);
    expect((await rawDetails('x', { isSummaryRequired: true })).status).toBe(400);
  });
});

describe('ConversationDetailsClient', () => {
  it('has no summary before TRIGGER_SUMMARY_EVENT, and one only after the delay', async () => {
    // Its own fake on a test clock: the delay passes when the test says so, not on the wall clock.
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const timed = await FakeAgentAi.start({ bots: [BOT], details: { summaryDelayMs: SUMMARY_DELAY_MS, now: () => now } });
    try {
      const c = client({ baseUrl: timed.url });
      await playConversation(timed.url, 'conv-1', { trigger: false, userText: 'Where is my parcel?' });
      expect((await c.summary(BOT, 'conv-1')).text).toBeUndefined();

      await playConversation(timed.url, 'conv-1b', { trigger: true, userText: 'Where is my parcel?' });
      now += SUMMARY_DELAY_MS - 1;
      const early = await c.summary(BOT, 'conv-1b');
      expect(early.text).toBeUndefined();
      expect(early.details.conversationInfo?.callId).toBe('conv-1b');

      now += 1;
      const later = await c.summary(BOT, 'conv-1b', 'en');
      expect(later.text).toContain('Where is my parcel?');
      expect(later.details.summary?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await c.summary(BOT, 'conv-1')).text).toBeUndefined();

      const last = timed.details.requests().at(-1)?.body;
      expect(last).toEqual({ conversationId: 'conv-1', isSummaryRequired: true, skip: 0, limit: 1 });
      const withLang = timed.details.requests().at(-2)?.body;
      expect(withLang).toEqual({ conversationId: 'conv-1b', isSummaryRequired: true, lang: 'en', skip: 0, limit: 1 });
    } finally {
      await timed.close();
    }
  });

  it('pages the history with skip/limit until a short page', async () => {
    const c = client();
    const history = Array.from({ length: 23 }, (_, i) => ({ author: i % 2 === 0 ? ('USER' as const) : ('AGENT' as const), text: `message ${i + 1}` }));
    await playConversation(fake.url, 'conv-paged', { trigger: false });
    fake.details.script('conv-paged', { history, summary: 'Scripted summary.', summaryAvailable: true });

    const h = await c.history(BOT, 'conv-paged', { pageSize: 5, withSummary: true });
    expect(h.pages).toBe(5);
    expect(h.truncated).toBe(false);
    expect(h.messages.map(messageText)).toEqual(history.map((m) => m.text));
    expect(summaryText(h.first)).toBe('Scripted summary.');
    const asked = fake.details.requests().map((r) => r.body as { skip: number; limit: number; isSummaryRequired: boolean });
    expect(asked.map((b) => b.skip)).toEqual([0, 5, 10, 15, 20]);
    expect(asked.every((b) => b.limit === 5)).toBe(true);
    expect(asked.map((b) => b.isSummaryRequired)).toEqual([true, false, false, false, false]);
  });

  it('stops at maxPages and says so; an exact multiple ends with one empty page', async () => {
    const c = client();
    await playConversation(fake.url, 'conv-exact', { trigger: false });
    fake.details.script('conv-exact', { history: Array.from({ length: 6 }, (_, i) => ({ author: 'USER' as const, text: `m${i}` })) });
    const exact = await c.history(BOT, 'conv-exact', { pageSize: 3 });
    expect(exact.pages).toBe(3);
    expect(exact.messages).toHaveLength(6);
    const capped = await c.history(BOT, 'conv-exact', { pageSize: 2, maxPages: 2 });
    expect(capped).toMatchObject({ pages: 2, truncated: true });
    expect(capped.messages).toHaveLength(4);
  });

  it('retries 429 (honouring Retry-After) and 5xx, then succeeds', async () => {
    const c = client();
    await playConversation(fake.url, 'conv-429', { trigger: false });
    fake.inject({ status: 429, retryAfter: '0', times: 2, match: isDetailsBody, body: JSON.stringify({ message: "You've exceeded the per-minute rate limit." }) });
    fake.inject({ status: 503, times: 1, match: isDetailsBody });
    const answer = await c.summary(BOT, 'conv-429');
    expect(answer.details.conversationInfo?.callId).toBe('conv-429');
    const statuses = fake.calls().filter((x) => x.label === 'conversationDetails' || isDetailsBody(x.body)).map((x) => x.status);
    expect(statuses).toEqual([429, 429, 503, 200]);
  });

  it('treats a "rate limit" message as retryable whatever its status', async () => {
    const c = client();
    await playConversation(fake.url, 'conv-rl', { trigger: false });
    fake.inject({ status: 400, times: 1, match: isDetailsBody, body: JSON.stringify({ message: 'Rate limit for this API has been reached. Please try again later' }) });
    await expect(c.summary(BOT, 'conv-rl')).resolves.toBeDefined();
  });

  it('gives up after maxAttempts with a retryable DetailsError', async () => {
    const c = client({ retry: { maxAttempts: 3, baseMs: 1, maxMs: 5 } });
    await playConversation(fake.url, 'conv-down', { trigger: false });
    fake.inject({ status: 500, times: 10, match: isDetailsBody });
    const err = await c.summary(BOT, 'conv-down').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DetailsError);
    expect(err).toMatchObject({ retryable: true, status: 500 });
    expect((err as Error).message).toContain('gave up after 3 attempts');
  });

  it('does not retry a final answer (404), and never leaks the token or secret in errors', async () => {
    const c = client();
    const err = await c.summary(BOT, 'nobody-knows-this').catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, status: 404 });
    expect(fake.details.requests()).toHaveLength(1);
    expect((err as Error).message).not.toContain(BOT.clientSecret);
  });

  it('re-mints once on 401 and then fails for good with the wrong header', async () => {
    const c = client({ tokenHeader: 'token' });
    await playConversation(fake.url, 'conv-hdr', { trigger: false });
    const err = await c.summary(BOT, 'conv-hdr').catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect(fake.details.requests().map((r) => r.status)).toEqual([401, 401]);
  });

  it('takes a throttle slot for every request, retries included', async () => {
    const throttle = new PerBotThrottle([{ limit: 2, windowMs: 200 }]);
    const c = client({ throttle });
    await playConversation(fake.url, 'conv-thr', { trigger: false });
    const t0 = Date.now();
    await Promise.all([c.summary(BOT, 'conv-thr'), c.summary(BOT, 'conv-thr'), c.summary(BOT, 'conv-thr')]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(195);
    const times = fake.details.requests().map((r) => r.at);
    expect(times).toHaveLength(3);
    // The third request left no sooner than the window allowed, so it cannot have arrived sooner. (Arrival
    // gaps between requests are not a measure: under load the first ones can reach the server late.)
    expect((times[2] ?? 0) - t0).toBeGreaterThanOrEqual(195);
  });
});
