// Facts in, hook calls out over HTTP: the exact seed sequences reach the fake Agent AI, in order, under faults.
import { afterEach, describe, expect, it } from 'vitest';
import type { Fact } from '../../src/core/facts.js';
import { customerLeft, ended, joined, left, said } from '../core/fact-builders.js';
import { BOT, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function feed(harness: Harness, facts: Fact[]): Promise<void> {
  for (const f of facts) await harness.bridge.pipeline.ingest(f);
  await harness.bridge.dispatcher.whenIdle();
}

const standard = (conv = 'c1'): Fact[] => [
  { ...joined(0, 'A'), conversationId: conv },
  { ...said(1, 'USER', 'my card is blocked'), conversationId: conv },
  { ...said(2, 'AGENT', 'let me check'), conversationId: conv },
  { ...left(60, 'A', 'hangup'), conversationId: conv },
  { ...customerLeft(60, 'hangup'), conversationId: conv },
  { ...ended(61), conversationId: conv },
];
const STANDARD = ['NA entry A', 'message USER', 'message AGENT', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION'];

describe('delivery to Agent AI', () => {
  it('delivers the standard flow exactly, with seed-shaped bodies and a verified JWT', async () => {
    h = await startHarness();
    await feed(h, standard());
    expect(h.fake.labels('c1').map(short)).toEqual(STANDARD);
    expect(h.fake.violations()).toEqual([]);
    const entry = h.fake.accepted('c1')[0];
    expect(entry?.path).toBe(`/agentassist/api/v1/hooks/${BOT.botId}`);
    expect(entry?.body).toEqual({
      conversationId: 'c1',
      botId: BOT.botId,
      events: [{
        name: 'INTERNAL_TRANSFER_EVENT', transfertype: 'NA', transition: 'entry', isExtAD: 'true', language: 'en', experience: 'voice',
        participant: { identity: 'A', name: 'Agent A', type: 'agent' },
      }],
    });
  });

  it('keeps the order within a conversation through 500, 429 (Retry-After) and timeouts', async () => {
    h = await startHarness({ AGENTAI_HEADERS_TIMEOUT_MS: '1000' });
    h.fake.inject({ status: 500, times: 2 });
    h.fake.inject({ status: 429, retryAfter: '1', times: 1 });
    // A slow answer the client gives up on: outcome unknown, so a non-EOC call is sent again.
    h.fake.inject({ delayMs: 2500, times: 1, match: (b) => JSON.stringify(b).includes('"query":"let me check"') });
    const started = Date.now();
    await feed(h, standard());
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    const labels = h.fake.labels('c1').map(short);
    // The slow call was processed by Agent AI and then resent: a duplicate message, never a reordering.
    expect(dedupeAdjacent(labels)).toEqual(STANDARD);
    expect(labels.filter((l) => l === 'END_OF_CONVERSATION')).toHaveLength(1);
    expect(h.fake.violations()).toEqual([]);
    expect(h.bridge.dispatcher.counts.retried).toBeGreaterThanOrEqual(4);
  });

  it('runs conversations in parallel while each stays in order', async () => {
    h = await startHarness();
    // Long enough for the fast conversation to go through all its calls meanwhile, even on a loaded machine.
    h.fake.inject({ delayMs: 1500, times: 1, match: (b) => JSON.stringify(b).includes('"conversationId":"slow"') });
    await Promise.all([feed(h, standard('slow')), feed(h, standard('fast'))]);
    // The slow conversation's second call waits for its first; the fast one does not wait for either.
    const fastDone = h.fake.accepted('fast').at(-1)?.receivedAt ?? Infinity;
    const slowSecond = h.fake.accepted('slow')[1]?.receivedAt ?? -Infinity;
    expect(fastDone).toBeLessThan(slowSecond);
    expect(h.fake.labels('slow').map(short)).toEqual(STANDARD);
    expect(h.fake.labels('fast').map(short)).toEqual(STANDARD);
  });

  it('never resends an END_OF_CONVERSATION whose outcome is unknown (default policy): dead letter, logged at error', async () => {
    h = await startHarness({ AGENTAI_HEADERS_TIMEOUT_MS: '1000' });
    h.fake.inject({ delayMs: 2500, times: 1, match: (b) => JSON.stringify(b).includes('END_OF_CONVERSATION') });
    await feed(h, standard());
    await h.fake.whenAnswered(); // the slow answer has gone out (the client gave up on it long ago)
    expect(h.fake.labels('c1').map(short)).toEqual(STANDARD);
    const dead = (await h.bridge.store.deadLetters());
    expect(dead).toHaveLength(1);
    expect(dead[0]?.label).toBe('END_OF_CONVERSATION');
    expect(dead[0]?.lastError).toMatch(/outcome unknown/);
    const logged = h.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'hook.dead_letter');
    expect(logged).toMatchObject([{ level: 'error', hookEvent: 'END_OF_CONVERSATION', conversationId: 'c1' }]);
  });

  it('dead-letters a permanent rejection at once and goes on with the conversation', async () => {
    h = await startHarness();
    h.fake.inject({ status: 400, body: '{"code":400,"message":"bad"}', times: 1, match: (b) => JSON.stringify(b).includes('"query"') });
    await feed(h, standard());
    expect((await h.bridge.store.deadLetters()).map((d) => d.label)).toEqual(['message USER']);
    expect(h.fake.labels('c1').map(short)).toEqual(STANDARD.filter((l) => l !== 'message USER'));
  });

  it('gives up after DELIVERY_MAX_ATTEMPTS and says why', async () => {
    h = await startHarness({ DELIVERY_MAX_ATTEMPTS: '3' });
    h.fake.inject({ status: 503, times: 3 });
    await feed(h, standard().slice(0, 1));
    const [dead] = (await h.bridge.store.deadLetters());
    expect(dead?.lastError).toMatch(/gave up after 3 attempts/);
    expect(dead?.lastStatus).toBe(503);
  });

  it('gives up after DELIVERY_MAX_AGE_MS of failures and says why', async () => {
    h = await startHarness({ DELIVERY_MAX_AGE_MS: '300', DELIVERY_MAX_ATTEMPTS: '1000' });
    h.fake.inject({ status: 503, times: 1000 });
    await feed(h, standard().slice(0, 1));
    const [dead] = (await h.bridge.store.deadLetters());
    expect(dead?.label).toBe('NA entry A');
    expect(dead?.lastError).toMatch(/gave up after \d+ s \(DELIVERY_MAX_AGE_MS\)/);
  });

  it('with DELIVERY_EOC_ON_UNKNOWN_OUTCOME=resend an END_OF_CONVERSATION of unknown outcome is sent again', async () => {
    h = await startHarness({ AGENTAI_HEADERS_TIMEOUT_MS: '1000', DELIVERY_EOC_ON_UNKNOWN_OUTCOME: 'resend' });
    h.fake.inject({ delayMs: 2500, times: 1, match: (b) => JSON.stringify(b).includes('END_OF_CONVERSATION') });
    await feed(h, standard());
    await h.fake.whenAnswered();
    expect((await h.bridge.store.deadLetters())).toEqual([]);
    // The operator chose "never lose an EOC" over "never send one twice": Agent AI saw it twice.
    expect(h.fake.labels('c1').filter((l) => l.startsWith('END_OF_CONVERSATION'))).toHaveLength(2);
    expect(h.fake.violations().some((v) => v.includes('duplicate END_OF_CONVERSATION'))).toBe(true);
  });

  it('ignores a duplicate fact: nothing is sent twice', async () => {
    h = await startHarness();
    const facts = standard();
    await feed(h, [...facts, ...facts]);
    expect(h.fake.labels('c1').map(short)).toEqual(STANDARD);
  });

  it('never writes a secret or a JWT into a log line', async () => {
    h = await startHarness();
    h.fake.inject({ status: 401, times: 2 });
    await feed(h, standard());
    const all = h.logs.lines.join('\n');
    expect(h.logs.lines.length).toBeGreaterThan(10);
    expect(all).not.toContain(BOT.clientSecret);
    expect(all).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    for (const line of h.logs.lines) {
      const parsed = JSON.parse(line) as { conversationId?: string; event?: string };
      if (['hook.queued', 'hook.delivered', 'hook.dead_letter', 'hook.retry'].includes(parsed.event ?? '')) expect(parsed.conversationId).toBe('c1');
    }
  });
});

function short(label: string): string {
  return label.replace(/^(message (USER|AGENT)).*$/, '$1').replace(/^(TRIGGER_SUMMARY_EVENT|END_OF_CONVERSATION).*$/, '$1');
}

function dedupeAdjacent(labels: string[]): string[] {
  return labels.filter((l, i) => l !== labels[i - 1]);
}
