// What the Ada route does with webhooks it cannot take as they are: each refusal has the status Ada should see
// and is counted by reason; fields longer than Agent AI takes are cut, marked and counted, never refused.
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeMetrics } from '../../../src/observability/metrics.js';
import { ID_MARKER, LIMITS, TEXT_MARKER } from '../limits.js';
import { created, Harness, makeSecret, message } from './harness.js';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function start(): Promise<{ h: Harness; metrics: BridgeMetrics }> {
  const metrics = new BridgeMetrics({ defaults: false });
  const h = await Harness.start({ metrics });
  harnesses.push(h);
  return { h, metrics };
}

/** The counter lines of a metric as /metrics shows them, e.g. {'reason="bad-signature"': 1}. */
async function rejected(metrics: BridgeMetrics): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('bridge_webhook_rejected_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [`${String(v.labels['adapter'])}/${String(v.labels['reason'])}`, v.value]));
}

async function truncated(metrics: BridgeMetrics): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('bridge_input_truncated_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels['field']), v.value]));
}

/** A JSON webhook with one byte that is not UTF-8 inside the message text. */
function invalidUtf8Body(): Buffer {
  const json = JSON.stringify(message('conv-bytes', 1000, { role: 'end_user', text: 'caf@' }));
  const at = Buffer.from(json).indexOf('@');
  const bytes = Buffer.from(json);
  bytes[at] = 0xe9; // latin-1 é: in UTF-8 a lead byte with no continuation bytes
  return bytes;
}

describe('ada webhook refusals', () => {
  it('answers a correctly signed body that is not UTF-8 400, not 401, and counts it as invalid-utf8', async () => {
    const { h, metrics } = await start();
    const res = await h.send(undefined, { rawBody: invalidUtf8Body() });
    expect(res).toEqual({ status: 400, body: { error: 'body is not valid UTF-8' } });
    expect(h.sink.ingestCalls).toBe(0);
    expect(await rejected(metrics)).toEqual({ 'ada/invalid-utf8': 1 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('bridge_webhook_rejected_total{adapter="ada",reason="invalid-utf8"} 1');
    expect(text).toContain('bridge_input_malformed_total{adapter="ada"} 1');
  });

  it('still answers the same bytes 401 when the signature is wrong', async () => {
    const { h, metrics } = await start();
    const res = await h.send(undefined, { rawBody: invalidUtf8Body(), secret: makeSecret() });
    expect(res.status).toBe(401);
    expect(await rejected(metrics)).toEqual({ 'ada/bad-signature': 1 });
  });

  it('counts every refusal by its reason, from a fixed set', async () => {
    const { h, metrics } = await start();
    const payload = message('conv-r', 1000, { role: 'end_user' });
    expect((await h.send(payload, { secret: makeSecret() })).status).toBe(401);
    expect((await h.send(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await fetch(h.url, { method: 'POST', body: JSON.stringify(payload) })).status).toBe(401);
    expect((await h.send(undefined, { rawBody: '{"type":' })).status).toBe(400);
    expect((await h.send({ type: 'v1.conversation.message', data: { nothing: true } })).status).toBe(400);
    // A type the bridge does not use is not a refusal: 202, counted nowhere here.
    expect((await h.send({ type: 'v1.conversation.whatever-new', data: {} })).status).toBe(202);
    expect(await rejected(metrics)).toEqual({
      'ada/bad-signature': 1,
      'ada/stale-timestamp': 1,
      'ada/unsigned': 1,
      'ada/malformed-json': 1,
      'ada/invalid-payload': 1,
    });
    expect(h.adapter.health().detail).toMatchObject({ rejected: 5, rejectedBy: { 'bad-signature': 1, 'invalid-payload': 1 } });
    expect(h.sink.ingestCalls).toBe(0);
  });
});

describe('ada field caps', () => {
  it('cuts a message text longer than Agent AI takes, marks and counts it, and delivers the rest', async () => {
    const { h, metrics } = await start();
    const long = 'a'.repeat(LIMITS.text + 500);
    const res = await h.send(message('conv-long', 1000, { role: 'end_user', text: long }));
    expect(res.status).toBe(200);
    const fact = h.sink.facts[0];
    expect(fact?.type).toBe('message');
    const text = fact?.type === 'message' ? fact.text : '';
    expect(text).toHaveLength(LIMITS.text);
    expect(text.endsWith(TEXT_MARKER)).toBe(true);
    expect(text.startsWith('a'.repeat(LIMITS.text - TEXT_MARKER.length))).toBe(true);
    expect(await truncated(metrics)).toEqual({ text: 1 });
    expect(h.adapter.health().detail).toMatchObject({ truncated: 1, rejected: 0 });
  });

  it('leaves values within the caps exactly as sent', async () => {
    const { h, metrics } = await start();
    const text = 'é'.repeat(LIMITS.text);
    await h.send(message('conv-exact', 1000, { role: 'human_agent', text, authorId: 'x'.repeat(LIMITS.id), name: 'N'.repeat(LIMITS.name) }));
    const msg = h.sink.facts.find((f) => f.type === 'message');
    expect(msg?.type === 'message' && msg.text).toBe(text);
    expect(msg?.type === 'message' && msg.agentIdentity).toBe('x'.repeat(LIMITS.id));
    expect(await truncated(metrics)).toEqual({});
  });

  it('cuts long ids with a marker and a hash: two long ids stay distinct and a retry maps the same', async () => {
    const { h, metrics } = await start();
    const prefix = 'c'.repeat(LIMITS.id + 50);
    const id1 = `${prefix}-one`;
    const id2 = `${prefix}-two`;
    const longAuthor = `agent-${'z'.repeat(300)}`;
    const svixId = `msg_${'s'.repeat(400)}`;
    const first = message(id1, 1000, { role: 'human_agent', text: 'hi', authorId: longAuthor, name: 'Q'.repeat(1000), messageId: 'm'.repeat(500) });
    expect((await h.send(first, { id: svixId })).status).toBe(200);
    expect((await h.send(message(id2, 1000, { role: 'end_user', text: 'hello' }))).status).toBe(200);
    const ids = [...new Set(h.sink.facts.map((f) => f.conversationId))];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(id).toHaveLength(LIMITS.id);
      expect(id).toContain(ID_MARKER);
    }
    const joined = h.sink.facts.find((f) => f.type === 'agent.joined');
    expect(joined?.type === 'agent.joined' && joined.agent.identity.length).toBe(LIMITS.id);
    expect(joined?.type === 'agent.joined' && joined.agent.name?.length).toBe(LIMITS.name);
    expect(await truncated(metrics)).toEqual({ conversationId: 2, authorId: 1, authorName: 1, messageId: 1, svixId: 1 });
    // Ada retries with the same svix-id: answered as a duplicate, nothing recorded twice.
    const before = h.sink.facts.length;
    expect((await h.send(first, { id: svixId })).body).toEqual({ ok: true, duplicate: true });
    expect(h.sink.facts).toHaveLength(before);
  });

  it('drops a language code longer than any real one (the default applies) and counts it', async () => {
    const { h, metrics } = await start();
    expect((await h.send(created('conv-lang', 0, 'x'.repeat(40)))).status).toBe(200);
    expect(await truncated(metrics)).toEqual({ language: 1 });
  });

  it('holds an agent identity taken from a long display name (no author id) to the id cap', async () => {
    const { h } = await start();
    await h.send(message('conv-name', 1000, { role: 'human_agent', text: 'hi', authorId: null, name: 'Long Name '.repeat(20) }));
    const joined = h.sink.facts.find((f) => f.type === 'agent.joined');
    expect(joined?.type === 'agent.joined' && joined.agent.identity.length).toBe(LIMITS.id);
    expect(joined?.type === 'agent.joined' && joined.agent.name).toBe('Long Name '.repeat(20));
  });
});
