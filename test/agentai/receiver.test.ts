// The fake Agent AI must catch what a real tenant would mis-handle: bad credentials, bad bodies, and
// sequences that break the seed's ordering rules. Bodies here are hand-written (not from src/agentai) so
// the fake is tested on its own terms.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';

const bot = { botId: 'st-fake', clientId: 'cs-fake', clientSecret: 'fake-secret-123456' };
let fake: FakeAgentAi;

beforeAll(async () => {
  fake = await FakeAgentAi.start({ bots: [bot, { botId: 'st-other', clientId: 'cs-other', clientSecret: 'other-secret-123456' }] });
});
afterAll(async () => fake.close());
beforeEach(() => fake.reset());

async function jwt(appId = bot.clientId, secret = bot.clientSecret): Promise<string> {
  return new SignJWT({ appId }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(secret));
}

async function post(body: unknown, opts: { token?: string | null; botId?: string; path?: string; raw?: string } = {}): Promise<{ status: number; json: unknown }> {
  const token = opts.token === undefined ? await jwt() : opts.token;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers['token'] = token;
  const path = opts.path ?? `/agentassist/api/v1/hooks/${opts.botId ?? bot.botId}`;
  const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers, body: opts.raw ?? JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

const participant = (identity: string): Record<string, string> => ({ identity, name: identity, type: 'agent' });
const transfer = (conversationId: string, transfertype: string, transition: string, identity: string): unknown => ({
  conversationId,
  botId: bot.botId,
  events: [{ name: 'INTERNAL_TRANSFER_EVENT', transfertype, transition, isExtAD: 'true', language: 'en', experience: 'voice', participant: participant(identity) }],
});
const message = (conversationId: string, author: 'USER' | 'AGENT'): unknown => ({
  conversationId,
  botId: bot.botId,
  query: 'hello',
  agentId: 'a1',
  experience: 'chat',
  author: { type: author },
  source: 'genesys',
  sendUserMessage: author === 'USER',
  sendAgentMessage: author === 'AGENT',
  language: 'en',
});
const summary = (conversationId: string): unknown => ({
  conversationId,
  botId: bot.botId,
  events: [{ name: 'TRIGGER_SUMMARY_EVENT', data: { language: 'English', locale: 'en', type: 'post' } }],
});
const eoc = (conversationId: string, identity = 'a1'): unknown => ({
  conversationId,
  botId: bot.botId,
  events: [{ name: 'END_OF_CONVERSATION', reason: 'agent_initiated', language: 'en', experience: 'voice', participant: participant(identity) }],
});

describe('FakeAgentAi accepts a correct conversation', () => {
  it('answers {"STATUS":"OK"} and reports the compact sequence with no violations', async () => {
    const bodies = [
      transfer('c1', 'NA', 'entry', 'a1'),
      message('c1', 'USER'),
      transfer('c1', 'WARM', 'entry', 'a2'),
      transfer('c1', 'warm', 'exit', 'a2'),
      transfer('c1', 'na', 'exit', 'a1'),
      summary('c1'),
      eoc('c1'),
    ];
    for (const b of bodies) expect(await post(b)).toEqual({ status: 200, json: { STATUS: 'OK' } });
    expect(fake.labels('c1')).toEqual(['NA entry a1', 'message USER', 'warm entry a2', 'warm exit a2', 'NA exit a1', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION']);
    expect(fake.violations()).toEqual([]);
  });

  it('accepts the redial flow and a callback that starts with redial entry', async () => {
    for (const b of [transfer('r1', 'NA', 'entry', 'a1'), transfer('r1', 'NA', 'exit', 'a1'), transfer('r1', 'redial', 'entry', 'a1'), transfer('r1', 'NA', 'exit', 'a1'), eoc('r1')]) {
      await post(b);
    }
    for (const b of [transfer('cb', 'redial', 'entry', 'a1'), transfer('cb', 'NA', 'exit', 'a1'), eoc('cb')]) await post(b);
    expect(fake.violations()).toEqual([]);
  });

  it('accepts boolean isExtAD and every documented path prefix', async () => {
    const body = { conversationId: 'p1', botId: bot.botId, events: [{ ...(transfer('p1', 'NA', 'entry', 'a1') as { events: object[] }).events[0], isExtAD: true }] };
    expect((await post(body, { path: `/api/v1/hooks/${bot.botId}` })).status).toBe(200);
    expect((await post(message('p1', 'AGENT'), { path: `/agentai/api/v1/hooks/${bot.botId}` })).status).toBe(200);
    expect(fake.violations()).toEqual([]);
  });
});

describe('FakeAgentAi reports violations', () => {
  it('a message before the first entry (still answered 200 so the test sees everything)', async () => {
    expect((await post(message('m1', 'USER'))).status).toBe(200);
    await post(transfer('m1', 'NA', 'entry', 'a1'));
    expect(fake.violations()).toEqual(['m1: message USER before the first entry']);
    expect(fake.calls()[0]).toMatchObject({ accepted: true, violations: ['message USER before the first entry'] });
  });

  it('a duplicate END_OF_CONVERSATION, named as such', async () => {
    for (const b of [transfer('d1', 'NA', 'entry', 'a1'), transfer('d1', 'NA', 'exit', 'a1'), eoc('d1'), eoc('d1')]) {
      expect((await post(b)).status).toBe(200);
    }
    expect(fake.violations()).toEqual(['d1: duplicate END_OF_CONVERSATION']);
  });

  it('anything after END_OF_CONVERSATION', async () => {
    for (const b of [transfer('d2', 'NA', 'entry', 'a1'), transfer('d2', 'NA', 'exit', 'a1'), eoc('d2'), message('d2', 'AGENT')]) await post(b);
    expect(fake.violations()).toEqual(['d2: message AGENT after END_OF_CONVERSATION']);
  });

  it('an exit of an identity that never entered', async () => {
    for (const b of [transfer('x1', 'NA', 'entry', 'a1'), transfer('x1', 'cold', 'exit', 'b2')]) await post(b);
    expect(fake.violations()).toEqual(['x1: exit without entry: cold exit b2']);
  });

  it('a first event that is not an NA or redial entry', async () => {
    await post(transfer('f1', 'cold', 'entry', 'a1'));
    expect(fake.violations()).toEqual(['f1: first event must be an NA or redial entry, got cold entry a1']);
  });

  it('summary or EOC while an agent is still entered, or without the final NA exit', async () => {
    for (const b of [transfer('s1', 'NA', 'entry', 'a1'), summary('s1'), eoc('s1')]) await post(b);
    expect(fake.violations()).toEqual(['s1: TRIGGER_SUMMARY_EVENT while a1 still entered', 's1: END_OF_CONVERSATION while a1 still entered']);
    fake.reset();
    for (const b of [transfer('s2', 'NA', 'entry', 'a1'), transfer('s2', 'cold', 'exit', 'a1'), eoc('s2')]) await post(b);
    expect(fake.violations()).toEqual(['s2: END_OF_CONVERSATION not after the final NA exit']);
  });

  it('a bad JWT → 401, not accepted', async () => {
    const wrongSecret = await post(transfer('j1', 'NA', 'entry', 'a1'), { token: await jwt(bot.clientId, 'not-the-secret-000') });
    const wrongApp = await post(transfer('j1', 'NA', 'entry', 'a1'), { token: await jwt('cs-someone-else') });
    const missing = await post(transfer('j1', 'NA', 'entry', 'a1'), { token: null });
    const otherBotsToken = await post(transfer('j1', 'NA', 'entry', 'a1'), { token: await jwt('cs-other', 'other-secret-123456') });
    expect([wrongSecret, wrongApp, missing, otherBotsToken].map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(fake.accepted('j1')).toEqual([]);
    expect(fake.violations()).toHaveLength(4);
    expect(fake.violations()[0]).toMatch(/^j1: JWT rejected/);
  });

  it('an expired JWT → 401', async () => {
    const old = Math.floor(Date.now() / 1000) - 600;
    const expired = await new SignJWT({ appId: bot.clientId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(old)
      .setExpirationTime(old + 60)
      .sign(new TextEncoder().encode(bot.clientSecret));
    expect((await post(transfer('j2', 'NA', 'entry', 'a1'), { token: expired })).status).toBe(401);
  });

  it.each([
    ['missing participant', { conversationId: 'b1', botId: bot.botId, events: [{ name: 'INTERNAL_TRANSFER_EVENT', transfertype: 'NA', transition: 'entry', isExtAD: 'true', experience: 'voice' }] }],
    ['unknown transfertype', transfer('b1', 'hot', 'entry', 'a1')],
    ['isExtAD as "yes"', { conversationId: 'b1', botId: bot.botId, events: [{ ...(transfer('b1', 'NA', 'entry', 'a1') as { events: object[] }).events[0], isExtAD: 'yes' }] }],
    ['message without source', { ...(message('b1', 'USER') as object), source: undefined }],
    ['summary without locale', { conversationId: 'b1', botId: bot.botId, events: [{ name: 'TRIGGER_SUMMARY_EVENT', data: { language: 'English', type: 'post' } }] }],
    ['unknown event name', { conversationId: 'b1', botId: bot.botId, events: [{ name: 'SOMETHING_ELSE' }] }],
    ['EOC without reason', { conversationId: 'b1', botId: bot.botId, events: [{ name: 'END_OF_CONVERSATION', language: 'en', experience: 'voice', participant: participant('a1') }] }],
  ])('a bad body (%s) → 400 {"code":400,...}', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 400, message: expect.stringContaining('invalid body') });
    expect(fake.accepted()).toEqual([]);
    expect(fake.violations()).toEqual([expect.stringMatching(/^b1: invalid body: /)]);
  });

  it('a body that is not JSON → 400', async () => {
    const res = await post(undefined, { raw: '{not json' });
    expect(res.status).toBe(400);
    expect(fake.violations()).toEqual(['(no conversationId): invalid body: body is not a JSON object']);
  });

  it("a body whose botId is not the path's → 400", async () => {
    const res = await post({ ...(transfer('b2', 'NA', 'entry', 'a1') as object), botId: 'st-other' });
    expect(res.status).toBe(400);
    expect(fake.violations()).toEqual(['b2: body botId st-other differs from path botId st-fake']);
  });

  it("an unknown bot → the seed's 400 answer", async () => {
    const res = await post(transfer('u1', 'NA', 'entry', 'a1'), { botId: 'st-missing' });
    expect(res).toEqual({
      status: 400,
      json: { code: 400, message: 'Linked bot details could not be found. Please verify that the botId provided in the request body is correct.' },
    });
  });
});

describe('FakeAgentAi faults', () => {
  it('are consumed in FIFO order, each for `times` matching requests', async () => {
    fake.inject({ status: 503, times: 2, retryAfter: '7' });
    fake.inject({ status: 500 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(transfer('q1', 'NA', 'entry', `a${i}`))).status);
    expect(statuses).toEqual([503, 503, 500, 200]);
    expect(fake.accepted('q1')).toHaveLength(1);
    expect(fake.calls().map((c) => c.status)).toEqual([503, 503, 500, 200]);
  });

  it('send Retry-After with an injected status', async () => {
    fake.inject({ status: 429, retryAfter: '3' });
    const res = await fetch(`${fake.url}/agentassist/api/v1/hooks/${bot.botId}`, { method: 'POST', body: '{}' });
    await res.text();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('waitFor resolves once the condition holds and rejects on timeout', async () => {
    void post(transfer('w1', 'NA', 'entry', 'a1'));
    await fake.waitFor(() => fake.accepted('w1').length === 1, 2000);
    await expect(fake.waitFor(() => false, 50)).rejects.toThrow(/within 50 ms/);
  });
});
