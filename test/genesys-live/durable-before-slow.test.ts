// Issue 10 item 6: a frame's facts are stored at once; digital message text is fetched when the hook call is
// sent. A message whose text fetch fails is fetched again, never skipped, and END_OF_CONVERSATION waits behind
// it, so the message still goes out before the end.
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { buildScenario, DEMO_QUEUES, DEMO_USERS } from '../../src/sim/genesys/scenarios.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { CONVERSATIONS, USERS } from '../fixtures/genesys/scenarios.js';
import { fixtureScript, startRig, startSim, type LiveRig } from './helpers.js';

const SPEED = 20;
const BULK = /\/messages\/bulk$/;
const TEXTS = ['Hello, I was charged twice for my order.', 'Hi! I can see the duplicate charge, refunding it now.', 'Great, thank you!'];

let rig: LiveRig | undefined;
let sim: GenesysSim | undefined;
afterEach(async () => {
  await rig?.close();
  await sim?.close();
  rig = undefined;
  sim = undefined;
});

/** A chat played on a fresh rig whose message bulk endpoint fails `failures` times; its conversation id. */
async function playChat(failures: number, n: number): Promise<{ r: LiveRig; id: string }> {
  sim = await startSim();
  for (const u of DEMO_USERS) sim.org.addUser(u);
  for (const q of DEMO_QUEUES) sim.org.addQueue(q);
  const r = await startRig(SPEED, { GENESYS_QUEUE_IDS: DEMO_QUEUES.map((q) => q.id).join(','), GENESYS_USER_IDS: '' }, {}, { sim });
  rig = r;
  r.sim.failRequests(503, failures, 'POST', BULK);
  const script = buildScenario('chat', n, Date.now());
  await new ScriptPlayer(r.sim).play(script, { speed: SPEED });
  return { r, id: String(script.steps[0]?.body.id) };
}

function queries(r: LiveRig, conversationId: string): string[] {
  return r.h.fake
    .accepted()
    .filter((c) => c.conversationId === conversationId && c.label.startsWith('message'))
    .map((c) => String((c.body as { query?: unknown }).query));
}

describe('durable before slow: digital message text at send time', () => {
  it('a chat message whose text fetch fails twice still arrives, with its text, before END_OF_CONVERSATION', async () => {
    const { r, id } = await playChat(2, 0);
    await r.h.fake.waitFor(() => r.h.fake.labels(id).includes('END_OF_CONVERSATION'), 20_000);
    expect(r.sim.counters.failed).toBe(2);
    const labels = r.h.fake.labels(id);
    expect(labels.filter((l) => l.startsWith('message'))).toEqual(['message USER', 'message AGENT', 'message USER']);
    expect(labels.at(-1)).toBe('END_OF_CONVERSATION');
    expect(queries(r, id)).toEqual(TEXTS);
    expect(r.h.fake.violations()).toEqual([]);
    // Names were not looked up before the facts were stored; the hook bodies got them at send time
    // (Users API: name, e-mail; Routing API: queue name, issue 13 item 6).
    const entry = r.h.fake.accepted().find((c) => c.conversationId === id && c.label.startsWith('NA entry'));
    const agent = DEMO_USERS[0];
    const queue = DEMO_QUEUES[0];
    expect((entry?.body as { events?: [{ participant?: unknown }] }).events?.[0].participant).toEqual({
      identity: agent?.id,
      name: agent?.name,
      type: 'agent',
      customFields: { agentEmail: agent?.email, queueId: queue?.id, queueName: queue?.name },
    });
  }, 30_000);

  it('while the text cannot be fetched the facts are already stored, and the end waits behind the message', async () => {
    const { r, id } = await playChat(1_000_000, 1);
    await r.adapter.idle();
    await r.h.bridge.pipeline.flush();
    // Every fact is durable although no text was fetched: the END_OF_CONVERSATION is queued behind the messages.
    const rows = await r.h.bridge.store.outboxFor(id);
    expect(rows.map((row) => row.kind)).toContain('end');
    expect(rows.filter((row) => row.kind === 'message')).toHaveLength(3);
    await new Promise((res) => setTimeout(res, 500));
    expect(r.h.fake.labels(id)).not.toContain('END_OF_CONVERSATION');
    expect(r.h.fake.labels(id).filter((l) => l.startsWith('message'))).toEqual([]);
    r.sim.clearFailures();
    await r.h.fake.waitFor(() => r.h.fake.labels(id).includes('END_OF_CONVERSATION'), 20_000);
    expect(queries(r, id)).toEqual(TEXTS);
    expect(r.h.fake.labels(id).at(-1)).toBe('END_OF_CONVERSATION');
  }, 30_000);
});

describe('durable before slow: names at send time', () => {
  it('an agent fact is stored at once while the Users and Routing APIs are slow; the hook call gets the names later', async () => {
    sim = await startSim();
    rig = await startRig(SPEED, { GENESYS_ENRICH_TIMEOUT_MS: '5000' }, {}, { sim });
    const r = rig;
    // Every user and queue lookup answers 2 s late.
    r.sim.delayRequests(2000, 1000, /^\/api\/v2\/(users|routing\/queues)\/[^/]+$/);
    const script = fixtureScript('standard');
    let connectedAt = 0;
    await new ScriptPlayer(r.sim).play({ ...script, steps: script.steps.slice(0, 4) }, { speed: SPEED, onStep: () => (connectedAt = Date.now()) });
    const stored = async (): Promise<boolean> => (await r.h.bridge.store.outboxFor(CONVERSATIONS.standard)).some((row) => row.kind === 'transfer');
    for (let i = 0; i < 50 && !(await stored()); i += 1) await new Promise((res) => setTimeout(res, 10));
    expect(Date.now() - connectedAt).toBeLessThan(1000);
    expect(r.h.fake.labels(CONVERSATIONS.standard)).toEqual([]);
    await r.h.fake.waitFor(() => r.h.fake.labels(CONVERSATIONS.standard).length > 0, 10_000);
    const entry = r.h.fake.accepted().find((c) => c.conversationId === CONVERSATIONS.standard);
    expect((entry?.body as { events?: [{ participant?: { name?: string; customFields?: unknown } }] }).events?.[0].participant).toMatchObject({
      name: USERS.alice.name,
      customFields: { agentEmail: 'alice@example.com', queueName: 'Support' },
    });
  }, 30_000);
});
