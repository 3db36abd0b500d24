import { afterEach, describe, expect, it } from 'vitest';
import type { Fact } from '../../../src/core/facts.js';
import {
  atOf,
  created,
  DOMAIN,
  ended,
  handoffEnded,
  Harness,
  makeSecret,
  message,
  RecordingSink,
} from './harness.js';

const harnesses: Harness[] = [];
async function start(...args: Parameters<typeof Harness.start>): Promise<Harness> {
  const h = await Harness.start(...args);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** Resolves once the adapter holds `count` deliveries in its ordering buffer (fails the test after 5 s). */
async function buffered(h: Harness, count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (h.adapter.health().detail?.buffered !== count) {
    if (Date.now() > deadline) throw new Error(`the adapter never held ${count} buffered deliveries`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function summary(facts: readonly Fact[]): string[] {
  return facts.map((f) => {
    switch (f.type) {
      case 'message':
        return `message ${f.author}${f.agentIdentity ? `(${f.agentIdentity})` : ''} ${f.text}`;
      case 'agent.joined':
        return `agent.joined ${f.agent.identity}`;
      case 'agent.left':
        return `agent.left ${f.agent.identity} ${f.reason}`;
      case 'agents.left':
        return `agents.left ${f.reason}`;
      default:
        return f.type;
    }
  });
}

describe('ada adapter over HTTP', () => {
  it('turns a whole conversation into joined, messages in order, left and ended', async () => {
    const h = await start();
    const c = 'conv-full';
    const deliveries = [
      created(c, 0),
      message(c, 1000, { role: 'end_user', text: 'I need a human' }),
      message(c, 2000, { role: 'ai_agent', text: 'Connecting you' }),
      message(c, 3000, { role: 'human_agent', text: 'Hi, I am Sam', authorId: 'agent-1', name: 'Sam' }),
      message(c, 4000, { role: 'end_user', text: 'My order is late' }),
      message(c, 5000, { role: 'human_agent', text: 'Let me check', authorId: 'agent-1', name: 'Sam' }),
      handoffEnded(c, 6000),
      ended(c, 7000),
    ];
    for (const payload of deliveries) {
      const res = await h.send(payload);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
    }

    expect(summary(h.sink.facts)).toEqual([
      'message USER I need a human',
      'agent.joined agent-1',
      'message AGENT(agent-1) Hi, I am Sam',
      'message USER My order is late',
      'message AGENT(agent-1) Let me check',
      'agents.left hangup',
      'conversation.ended',
    ]);
    for (const fact of h.sink.facts) {
      expect(fact).toMatchObject({ source: 'ada', domain: DOMAIN, experience: 'chat', conversationId: c, language: 'en' });
    }
    const joined = h.sink.facts.find((f) => f.type === 'agent.joined');
    expect(joined).toMatchObject({ via: 'routing', agent: { identity: 'agent-1', name: 'Sam' }, at: atOf(3000) });
    expect(h.sink.facts.at(-1)?.at).toBe(atOf(7000));
    expect(new Set(h.sink.facts.map((f) => f.dedupeKey)).size).toBe(h.sink.facts.length);
  });

  it('closes a still-joined agent when the conversation ends without handoff.ended', async () => {
    const h = await start();
    const c = 'conv-no-handoff-end';
    await h.send(message(c, 1000, { role: 'human_agent', text: 'Hello', authorId: 'agent-1' }));
    await h.send(ended(c, 2000));
    expect(summary(h.sink.facts)).toEqual([
      'agent.joined agent-1',
      'message AGENT(agent-1) Hello',
      'agents.left hangup',
      'conversation.ended',
    ]);
  });

  it('starts a new leg for a second handoff, even to the same agent', async () => {
    const h = await start();
    const c = 'conv-two-handoffs';
    await h.send(message(c, 1000, { role: 'human_agent', text: 'first', authorId: 'agent-1' }));
    await h.send(handoffEnded(c, 2000));
    await h.send(message(c, 3000, { role: 'human_agent', text: 'second', authorId: 'agent-1' }));
    await h.send(handoffEnded(c, 4000));
    expect(summary(h.sink.facts)).toEqual([
      'agent.joined agent-1',
      'message AGENT(agent-1) first',
      'agents.left hangup',
      'agent.joined agent-1',
      'message AGENT(agent-1) second',
      'agents.left hangup',
    ]);
    const legs = h.sink.facts.flatMap((f) => (f.type === 'agent.joined' ? [f.leg] : []));
    expect(legs[0]).not.toBe(legs[1]);
  });

  it('forwards ai_agent messages only when configured', async () => {
    const h = await start({ forwardAiAgentMessages: true });
    await h.send(message('conv-ai', 1000, { role: 'ai_agent', text: 'How can I help?' }));
    expect(summary(h.sink.facts)).toEqual(['message AGENT(ai_agent) How can I help?']);
  });

  it('rejects a bad signature with 401 and ingests nothing', async () => {
    const h = await start();
    const res = await h.send(message('conv-bad', 1000, { role: 'end_user' }), { secret: makeSecret() });
    expect(res).toEqual({ status: 401, body: { error: 'invalid signature' } });
    expect(h.sink.ingestCalls).toBe(0);
    expect(h.adapter.health().detail).toMatchObject({ received: 1, rejected: 1 });
  });

  it('rejects a request without signature headers', async () => {
    const h = await start();
    const res = await fetch(h.url, {
      method: 'POST',
      body: JSON.stringify(message('conv-nohdr', 1000, { role: 'end_user' })),
    });
    expect(res.status).toBe(401);
    expect(h.sink.ingestCalls).toBe(0);
  });

  it('rejects a 10-minute-old timestamp with 401 and ingests nothing', async () => {
    const h = await start();
    const res = await h.send(message('conv-stale', 1000, { role: 'end_user' }), {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(res).toEqual({ status: 401, body: { error: 'stale timestamp' } });
    expect(h.sink.ingestCalls).toBe(0);
  });

  it('enforces a configured tolerance tighter than the 300 s svix applies', async () => {
    const h = await start({ toleranceSeconds: 60 });
    const stale = await h.send(message('conv-tight', 1000, { role: 'end_user' }), {
      timestamp: Math.floor(Date.now() / 1000) - 120,
    });
    expect(stale.status).toBe(401);
    const fresh = await h.send(message('conv-tight', 1000, { role: 'end_user' }), {
      timestamp: Math.floor(Date.now() / 1000) - 30,
    });
    expect(fresh.status).toBe(200);
    expect(h.sink.facts).toHaveLength(1);
  });

  it('answers a replayed svix-id 200 without ingesting twice', async () => {
    const h = await start();
    const payload = message('conv-replay', 1000, { role: 'human_agent', text: 'once', authorId: 'agent-1' });
    const first = await h.send(payload, { id: 'msg_replayed' });
    const calls = h.sink.ingestCalls;
    const second = await h.send(payload, { id: 'msg_replayed' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(h.sink.ingestCalls).toBe(calls);
    expect(summary(h.sink.facts)).toEqual(['agent.joined agent-1', 'message AGENT(agent-1) once']);
    expect(h.adapter.health().detail).toMatchObject({ duplicates: 1 });
  });

  it('answers a retry that arrives while the first attempt is still buffered, once', async () => {
    const h = await start({ orderingBufferMs: 100 });
    const payload = message('conv-concurrent', 1000, { role: 'end_user', text: 'hi' });
    const [a, b] = await Promise.all([h.send(payload, { id: 'msg_twice' }), h.send(payload, { id: 'msg_twice' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(h.sink.ingestCalls).toBe(1);
  });

  it('relies on the durable dedupe key when memory has forgotten the svix-id (restart)', async () => {
    const sink = new RecordingSink();
    const secret = makeSecret();
    const payload = message('conv-restart', 1000, { role: 'end_user', text: 'hi' });
    const before = await start({ secrets: [secret] }, sink);
    expect((await before.send(payload, { id: 'msg_restart' })).status).toBe(200);
    const after = await start({ secrets: [secret] }, sink);
    expect((await after.send(payload, { id: 'msg_restart' })).status).toBe(200);
    expect(sink.facts).toHaveLength(1);
    expect(after.adapter.health().detail).toMatchObject({ duplicates: 1 });
  });

  it('ingests out-of-order deliveries in payload timestamp order', async () => {
    const h = await start({ orderingBufferMs: 150 });
    const c = 'conv-order';
    const second = h.send(message(c, 2000, { role: 'end_user', text: 'second' }));
    await buffered(h, 1);
    const first = h.send(message(c, 1000, { role: 'end_user', text: 'first' }));
    expect((await second).status).toBe(200);
    expect((await first).status).toBe(200);
    expect(summary(h.sink.facts)).toEqual(['message USER first', 'message USER second']);
  });

  it('answers only after the facts are ingested', async () => {
    const h = await start();
    const res = await h.send(message('conv-durable', 1000, { role: 'end_user', text: 'kept' }));
    expect(res.status).toBe(200);
    expect(h.sink.facts).toHaveLength(1);
  });

  it('answers 500 when ingestion fails, and the retry records everything exactly once', async () => {
    const h = await start();
    const c = 'conv-fail';
    const payload = message(c, 1000, { role: 'human_agent', text: 'hello', authorId: 'agent-1' });
    // The store fails on the join: the agent must not count as joined until it is recorded.
    h.sink.failOnce.add('ada:msg_fail:joined:agent-1');
    const first = await h.send(payload, { id: 'msg_fail' });
    expect(first).toEqual({ status: 500, body: { error: 'ingest failed' } });
    expect(h.sink.facts).toEqual([]);

    const retry = await h.send(payload, { id: 'msg_fail' });
    expect(retry.status).toBe(200);
    expect(summary(h.sink.facts)).toEqual(['agent.joined agent-1', 'message AGENT(agent-1) hello']);
    // The handoff's end closes whoever the store holds as joined.
    await h.send(handoffEnded(c, 2000));
    expect(summary(h.sink.facts).at(-1)).toBe('agents.left hangup');
  });

  it('answers malformed JSON with 400 and ingests nothing', async () => {
    const h = await start();
    const res = await h.send(undefined, { rawBody: '{"type":"v1.conversation.message",' });
    expect(res).toEqual({ status: 400, body: { error: 'malformed JSON' } });
    expect(h.sink.ingestCalls).toBe(0);
  });

  it('answers a body that fails the envelope with 400 and a reason', async () => {
    const h = await start();
    const res = await h.send({ type: 'v1.conversation.message', timestamp: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid payload', reason: expect.stringContaining('data') });
    expect(h.sink.ingestCalls).toBe(0);
  });

  it('answers unknown event types 202 and ignores them', async () => {
    const h = await start();
    const res = await h.send({ type: 'v1.end_user.updated', timestamp: 'x', data: { end_user_id: 'eu1' } });
    expect(res).toEqual({ status: 202, body: { ok: true, ignored: true } });
    expect(h.sink.ingestCalls).toBe(0);
  });

  it('accepts the webhook-* header aliases', async () => {
    const h = await start();
    const res = await h.send(message('conv-alias', 1000, { role: 'end_user', text: 'aliased' }), {
      headerStyle: 'webhook',
    });
    expect(res.status).toBe(200);
    expect(summary(h.sink.facts)).toEqual(['message USER aliased']);
  });

  it('accepts a delivery signed with the second of two secrets (rotation)', async () => {
    const old = makeSecret();
    const current = makeSecret();
    const h = await start({ secrets: [old, current] });
    const res = await h.send(message('conv-rotate', 1000, { role: 'end_user', text: 'rotated' }), { secret: current });
    expect(res.status).toBe(200);
    expect(h.sink.facts).toHaveLength(1);
  });

  it('tolerates documented drift: data.id, handoff_integration {}, author.id as an object', async () => {
    const h = await start();
    const c = 'conv-drift';
    const drifted = message(c, 1000, { role: 'human_agent', text: 'drifted', authorId: { _id: 'agent-7' }, handoff: {} });
    const { message_id: _replaced, ...data } = drifted.data;
    const payload = { ...drifted, data: { ...data, id: 'legacy-42', tags: ['vip'], updated_at: 'later' } };
    const res = await h.send(payload);
    expect(res.status).toBe(200);
    expect(h.sink.facts).toMatchObject([
      { type: 'agent.joined', agent: { identity: 'agent-7' } },
      { type: 'message', author: 'AGENT', agentIdentity: 'agent-7', messageId: 'legacy-42', text: 'drifted' },
    ]);
  });

  it('flushes buffered deliveries on stop instead of holding them', async () => {
    const h = await Harness.start({ orderingBufferMs: 5000 });
    const started = Date.now();
    const pending = h.send(message('conv-stop', 1000, { role: 'end_user', text: 'flushed' }));
    await buffered(h, 1);
    await h.close();
    expect((await pending).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(h.sink.facts).toHaveLength(1);
  });
});
