// The client against the fake Agent AI on 127.0.0.1: what delivery is told for each way a post can end.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Intent } from '../../src/core/intents.js';
import {
  AgentAiClient,
  buildHookBody,
  DEFAULT_WIRE_OPTIONS,
  describeIntent,
  type AgentAiClientOptions,
  type BotCredentials,
  type HookBody,
} from '../../src/agentai/index.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';

const bot: BotCredentials = { botId: 'st-bot-1', clientId: 'cs-client-1', clientSecret: 'very-secret-value-42' };
const agentA = { identity: 'user-A', name: 'Ann', email: 'ann@example.com', queueId: 'q1', queueName: 'Sales' };

const baseOptions = (baseUrl: string, over: Partial<AgentAiClientOptions> = {}): AgentAiClientOptions => ({
  baseUrl,
  hooksPath: '/agentassist/api/v1/hooks',
  tokenHeader: 'token',
  jwt: { ttlSeconds: 3600, jti: false },
  timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
  connections: 4,
  ...over,
});

const ctx = (conversationId: string): { conversationId: string; botId: string; source: string } => ({ conversationId, botId: bot.botId, source: 'genesys' });
const naEntry: Intent = { kind: 'transfer', transferType: 'NA', transition: 'entry', agent: agentA, experience: 'voice', language: 'en' };
const entryBody = (conversationId: string): HookBody => buildHookBody(naEntry, ctx(conversationId), DEFAULT_WIRE_OPTIONS);

let fake: FakeAgentAi;
let client: AgentAiClient;
const extraClients: AgentAiClient[] = [];

function anotherClient(over: Partial<AgentAiClientOptions>, baseUrl = fake.url): AgentAiClient {
  const c = new AgentAiClient(baseOptions(baseUrl, over));
  extraClients.push(c);
  return c;
}

beforeAll(async () => {
  fake = await FakeAgentAi.start({ bots: [bot] });
  client = new AgentAiClient(baseOptions(fake.url));
});

afterAll(async () => {
  await Promise.all([client.close(), ...extraClients.map((c) => c.close())]);
  await fake.close();
});

beforeEach(() => fake.reset());

describe('AgentAiClient against the fake Agent AI', () => {
  it('200 → ok, and Agent AI has the event', async () => {
    const outcome = await client.postHookJson(bot, JSON.stringify(entryBody('c-ok')));
    expect(outcome).toEqual({ kind: 'ok', status: 200 });
    expect(fake.labels('c-ok')).toEqual(['NA entry user-A']);
    expect(fake.violations()).toEqual([]);
  });

  it('a whole conversation arrives in order, labelled as describeIntent labels it, with no violations', async () => {
    const intents: Intent[] = [
      naEntry,
      { kind: 'message', author: 'USER', text: 'hi', messageId: 'm1', agentId: 'user-A', experience: 'voice', language: 'en' },
      { kind: 'message', author: 'AGENT', text: 'hello', messageId: 'm2', agentId: 'user-A', experience: 'voice', language: 'en' },
      { kind: 'transfer', transferType: 'NA', transition: 'exit', agent: agentA, experience: 'voice', language: 'en' },
      { kind: 'summary', experience: 'voice', language: 'en' },
      { kind: 'end', agent: agentA, experience: 'voice', language: 'en' },
    ];
    for (const intent of intents) {
      expect(await client.postHookJson(bot, JSON.stringify(buildHookBody(intent, ctx('c-flow'), DEFAULT_WIRE_OPTIONS)))).toMatchObject({ kind: 'ok' });
    }
    expect(fake.labels('c-flow')).toEqual(intents.map(describeIntent));
    expect(fake.violations()).toEqual([]);
  });

  it('the auth header and the alternative hooks paths work when configured', async () => {
    const strictFake = await FakeAgentAi.start({ bots: [bot], tokenHeader: 'auth', hooksPaths: ['/agentai/api/v1/hooks'] });
    try {
      const good = anotherClient({ tokenHeader: 'auth', hooksPath: '/agentai/api/v1/hooks/' }, strictFake.url);
      expect(await good.postHookJson(bot, JSON.stringify(entryBody('c-auth')))).toEqual({ kind: 'ok', status: 200 });
      // Sending `token` where the tenant reads `auth` is a configuration error, not something to retry forever.
      const wrongHeader = anotherClient({ tokenHeader: 'token', hooksPath: '/agentai/api/v1/hooks' }, strictFake.url);
      expect(await wrongHeader.postHookJson(bot, JSON.stringify(entryBody('c-auth2')))).toMatchObject({ kind: 'permanent', status: 401 });
    } finally {
      await strictFake.close();
    }
  });

  it('unknown bot → permanent 400 with the seed message', async () => {
    const stranger: BotCredentials = { botId: 'st-nobody', clientId: 'cs-x', clientSecret: 'whatever-secret' };
    const body = buildHookBody(naEntry, { conversationId: 'c-nobot', botId: 'st-nobody', source: 'genesys' }, DEFAULT_WIRE_OPTIONS);
    const outcome = await client.postHookJson(stranger, JSON.stringify(body));
    expect(outcome).toMatchObject({ kind: 'permanent', status: 400 });
    expect(outcome.kind === 'permanent' && outcome.error).toContain('Linked bot details could not be found');
  });

  it('401 once → the token is re-minted and the post succeeds', async () => {
    fake.inject({ status: 401 });
    const outcome = await client.postHookJson(bot, JSON.stringify(entryBody('c-401')));
    expect(outcome).toEqual({ kind: 'ok', status: 200 });
    expect(fake.calls().map((c) => c.status)).toEqual([401, 200]);
    expect(fake.labels('c-401')).toEqual(['NA entry user-A']);
  });

  it('403 twice → permanent after exactly one re-mint, no loop', async () => {
    fake.inject({ status: 403, times: 2 });
    const outcome = await client.postHookJson(bot, JSON.stringify(entryBody('c-403')));
    expect(outcome).toMatchObject({ kind: 'permanent', status: 403 });
    expect(fake.calls()).toHaveLength(2);
  });

  it('429 with Retry-After: 3 → retry in 3000 ms', async () => {
    fake.inject({ status: 429, retryAfter: '3' });
    expect(await client.postHookJson(bot, JSON.stringify(entryBody('c-429')))).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 3000 });
    expect(fake.accepted('c-429')).toEqual([]);
  });

  it('503 with an HTTP-date Retry-After → retry with the delay until that date', async () => {
    fake.inject({ status: 503, retryAfter: new Date(Date.now() + 10_000).toUTCString() });
    const outcome = await client.postHookJson(bot, JSON.stringify(entryBody('c-503')));
    expect(outcome).toMatchObject({ kind: 'retry', status: 503 });
    const ms = outcome.kind === 'retry' ? (outcome.retryAfterMs ?? -1) : -1;
    expect(ms).toBeGreaterThan(7_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });

  it.each([500, 502, 503, 408])('%i without Retry-After → retry, no delay imposed', async (status) => {
    fake.inject({ status });
    const outcome = await client.postHookJson(bot, JSON.stringify(entryBody(`c-${status}`)));
    expect(outcome).toMatchObject({ kind: 'retry', status });
    expect(outcome).not.toHaveProperty('retryAfterMs');
  });

  it.each([404, 400, 422])('%i → permanent', async (status) => {
    fake.inject({ status, body: '{"code":0,"message":"nope"}' });
    expect(await client.postHookJson(bot, JSON.stringify(entryBody(`c-${status}`)))).toMatchObject({ kind: 'permanent', status, error: expect.stringContaining('nope') });
  });

  it('connection refused (closed port) → retry: nothing was sent', async () => {
    const port = await closedPort();
    const refused = anotherClient({}, `http://127.0.0.1:${port}`);
    const outcome = await refused.postHookJson(bot, JSON.stringify(entryBody('c-refused')));
    expect(outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('headers timeout while Agent AI is slow → unknown, and Agent AI did process it', async () => {
    // undici checks headers/body timeouts on a ~0.5 s tick, so a 200 ms timeout fires after 0.2-1.2 s;
    // the fake stays slow for well beyond that.
    fake.inject({ delayMs: 3000 });
    const impatient = anotherClient({ timeouts: { connectMs: 1000, headersMs: 200, bodyMs: 2000 } });
    const started = Date.now();
    const outcome = await impatient.postHookJson(bot, JSON.stringify(entryBody('c-slow')));
    expect(outcome).toMatchObject({ kind: 'unknown', error: expect.stringContaining('UND_ERR_HEADERS_TIMEOUT') });
    expect(Date.now() - started).toBeLessThan(2500);
    // This is why 'unknown' must never be treated as 'retry' for END_OF_CONVERSATION.
    expect(fake.labels('c-slow')).toEqual(['NA entry user-A']);
  });

  it("reset:'after' (processed, then the connection dies) → unknown", async () => {
    fake.inject({ reset: 'after' });
    expect(await client.postHookJson(bot, JSON.stringify(entryBody('c-reset-after')))).toMatchObject({ kind: 'unknown' });
    expect(fake.labels('c-reset-after')).toEqual(['NA entry user-A']);
  });

  it("reset:'before' (dropped unprocessed) → unknown, because the request had been written", async () => {
    // The client cannot tell this apart from reset:'after': the whole request was on the wire when the
    // connection died, and a real Agent AI might have processed it. 'retry' would risk a duplicate event.
    fake.inject({ reset: 'before' });
    expect(await client.postHookJson(bot, JSON.stringify(entryBody('c-reset-before')))).toMatchObject({ kind: 'unknown' });
    expect(fake.accepted('c-reset-before')).toEqual([]);
    // The pool recovers: the next post opens a fresh connection.
    expect(await client.postHookJson(bot, JSON.stringify(entryBody('c-reset-before')))).toEqual({ kind: 'ok', status: 200 });
  });

  it('a fault matching only END_OF_CONVERSATION leaves the other posts alone', async () => {
    fake.inject({ status: 503, match: (b) => JSON.stringify(b).includes('END_OF_CONVERSATION') });
    expect(await client.postHookJson(bot, JSON.stringify(entryBody('c-match')))).toMatchObject({ kind: 'ok' });
    const eoc = buildHookBody({ kind: 'end', agent: agentA, experience: 'voice', language: 'en' }, ctx('c-match'), DEFAULT_WIRE_OPTIONS);
    expect(await client.postHookJson(bot, JSON.stringify(eoc))).toMatchObject({ kind: 'retry', status: 503 });
  });

  it('jti mode sends a fresh token per request and Agent AI accepts them', async () => {
    const jtiClient = anotherClient({ jwt: { ttlSeconds: 300, jti: true } });
    for (let i = 0; i < 3; i++) expect(await jtiClient.postHookJson(bot, JSON.stringify(entryBody(`c-jti-${i}`)))).toMatchObject({ kind: 'ok' });
  });
});

describe('error text', () => {
  let echo: Server;
  let seenToken = '';
  let echoUrl = '';

  beforeAll(async () => {
    // A server that echoes credentials back, as a misconfigured proxy might.
    echo = createServer((req, res) => {
      seenToken = String(req.headers['token']);
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`rejected token=${seenToken} secret=${bot.clientSecret} ${'x'.repeat(5000)}`);
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    echo.closeAllConnections();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  it('never contains the JWT or the client secret, and stays short', async () => {
    const c = anotherClient({}, echoUrl);
    const outcome = await c.postHookJson(bot, JSON.stringify(entryBody('c-echo')));
    expect(outcome).toMatchObject({ kind: 'permanent', status: 400 });
    const error = outcome.kind === 'permanent' ? outcome.error : '';
    expect(seenToken.length).toBeGreaterThan(20);
    expect(error).not.toContain(seenToken);
    expect(error).not.toContain(bot.clientSecret);
    expect(error).toContain('[redacted]');
    expect(error.length).toBeLessThanOrEqual(600);
  });
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
