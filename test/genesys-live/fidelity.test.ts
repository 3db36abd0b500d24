// Issue-13 situations live, through the SDK and the websocket, where replay cannot show them: a bot's
// message texts (replay has no texts) and a supervisor's barge-in that happens inside a socket gap, read
// back from the REST body during reconciliation.
import { afterEach, describe, expect, it } from 'vitest';
import { SimConversation } from '../../src/sim/genesys/conversation.js';
import { queueTopic } from '../../src/sim/genesys/model/topics.js';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import type { SimScript } from '../../src/sim/genesys/script.js';
import { CONVERSATIONS, QUEUE_SUPPORT, USERS } from '../fixtures/genesys/scenarios.js';
import { fixtureScript, replayReference, startRig, waitForEnds, type LiveRig } from './helpers.js';

const SPEED = 40;
let rig: LiveRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Web messaging answered by a bot flow that hands over to Alice; every message has its text in the org. */
function botChat(startMs: number): { script: SimScript; id: string } {
  const c = new SimConversation('b07c4a70-0000-4000-8000-000000000001', startMs, 'chat', () => [queueTopic(QUEUE_SUPPORT)]);
  const cust = c.add('customer', 0, { name: 'Customer', queueId: QUEUE_SUPPORT, address: 'tel:+15550001111' });
  c.connect(cust, 0);
  c.say(cust, 0.2, 'Hello, my order has not arrived.');
  const bot = c.add('workflow', 0.4, { name: 'Support Bot' });
  c.connect(bot, 0.4);
  c.say(bot, 0.6, 'Hi! I am the virtual assistant. What is your order number?');
  c.emit(0.6);
  c.say(cust, 4, 'It is 12345.');
  c.say(bot, 5, 'Thanks, connecting you to an agent.');
  c.emit(5);
  c.disconnect(bot, 6, 'transfer');
  const acd = c.add('acd', 6, { name: 'Support', queueId: QUEUE_SUPPORT });
  c.connect(acd, 6);
  c.emit(6);
  const alice = c.add('agent', 8, { name: USERS.alice.name, userId: USERS.alice.id, queueId: QUEUE_SUPPORT });
  c.emit(8);
  c.connect(alice, 10);
  c.disconnect(acd, 10, 'transfer');
  c.emit(10);
  c.say(alice, 12, 'Hi, I am Alice, let me check order 12345.');
  c.emit(12);
  c.disconnect(alice, 30, 'client');
  c.disconnect(cust, 30.2, 'peer');
  c.emit(30.2);
  c.terminate(alice, 40);
  c.emit(40);
  return { script: { name: 'bot-chat', startMs, steps: [...c.steps] }, id: c.id };
}

describe('live: what real orgs send beyond the plain flows', () => {
  it("a bot flow's messages never reach Agent AI; the customer's, early ones included, and the agent's do", async () => {
    rig = await startRig(SPEED);
    const { script, id } = botChat(Date.now());
    await new ScriptPlayer(rig.sim).play(script, { speed: SPEED });
    await waitForEnds(rig.h, [id]);
    const messages = rig.h.fake.accepted(id).filter((c) => c.label.startsWith('message'));
    expect(messages.map((m) => [m.label.split(' ')[1], (m.body as { query?: string }).query])).toEqual([
      ['USER', 'Hello, my order has not arrived.'],
      ['USER', 'It is 12345.'],
      ['AGENT', 'Hi, I am Alice, let me check order 12345.'],
    ]);
    const ignored = await rig.h.bridge.metrics.adapterIgnored.get();
    expect(ignored.values.find((v) => v.labels.reason === 'non-agent-message')?.value).toBe(2);
  }, 20_000);

  it('a barge-in and the supervisor leaving, both inside a socket gap, come back from the REST body as warm entry and exit', async () => {
    const reference = await replayReference(['supervisor-barge']);
    rig = await startRig(SPEED);
    const script = fixtureScript('supervisor-barge');
    // The socket goes down right after Carol (the coach) leaves and stays down past Dave's barge-in and exit.
    const lastBeforeGap = script.steps.findIndex((s) => JSON.stringify(s.body).includes('bargedParticipantId')) - 1;
    const offset = (i: number): number => script.steps[i]?.offsetMs ?? 0;
    const gapMs = Math.round((offset(lastBeforeGap + 3) - offset(lastBeforeGap)) / SPEED) - 100;
    let played = 0;
    const r = rig;
    await new ScriptPlayer(r.sim).play(script, {
      speed: SPEED,
      onStep: () => {
        played += 1;
        if (played === lastBeforeGap + 1) r.sim.outage(gapMs);
      },
    });
    await waitForEnds(r.h, [CONVERSATIONS.supervisor]);
    expect(r.adapter.stats.gaps).toBeGreaterThan(0);
    expect(r.sim.counters.conversationGets).toBeGreaterThan(0);
    expect(r.h.fake.labels(CONVERSATIONS.supervisor)).toEqual(reference.get(CONVERSATIONS.supervisor));
    expect(reference.get(CONVERSATIONS.supervisor)).toEqual([
      `NA entry ${USERS.alice.id}`, `warm entry ${USERS.dave.id}`, `warm exit ${USERS.dave.id}`, `NA exit ${USERS.alice.id}`,
      'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION',
    ]);
  }, 30_000);
});
