// Issue 14 item 4 on the Genesys path: a platform string longer than Agent AI takes (a transcribed utterance, a
// digital message's text, an agent's name or e-mail from the notification or the directory) reaches Agent AI cut
// to core's caps with a marker, the fake receiver's validation accepts the call, and /metrics counts the cut.
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS, NAME_MARKER, TEXT_MARKER } from '../../src/agentai/limits.js';
import { SimConversation } from '../../src/sim/genesys/conversation.js';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { QUEUE_SUPPORT, USERS } from '../fixtures/genesys/scenarios.js';
import { logEvents, startRig, waitForEnds, type LiveRig } from './helpers.js';

const SPEED = 40;
let rig: LiveRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const topics = (): string[] => [`v2.routing.queues.${QUEUE_SUPPORT}.conversations`];
const LONG_TEXT = `${'Spoken words '.repeat(3_500)}end`; // 45,503 characters
const LONG_NAME = `Alice ${'Longname-'.repeat(60)}`;
const LONG_USER = { id: 'c0ffee00-0000-4000-8000-00000000a11c', name: `Bob ${'Verylongsurname-'.repeat(30)}`, email: `${'b'.repeat(400)}@example.com` };

/** A call answered by an agent whose notification carries a long name; the customer says a long sentence. */
function longCall(startMs: number): SimConversation {
  const c = new SimConversation('ca115000-0000-4000-8000-000000000001', startMs, 'voice', topics);
  const cust = c.add('customer', 0, { name: 'Customer', queueId: QUEUE_SUPPORT, address: 'tel:+15550002222' });
  c.connect(cust, 0);
  const agent = c.add('agent', 2, { name: LONG_NAME, userId: USERS.alice.id, queueId: QUEUE_SUPPORT });
  c.emit(2);
  c.connect(agent, 4);
  c.emit(4);
  c.transcript(8, cust, 'ca115000-u1', LONG_TEXT, 4);
  c.hangUp(agent, cust, 20);
  return c;
}

/** A chat answered by an agent the notification does not name (the directory does, at length); one long message. */
function longChat(startMs: number): SimConversation {
  const c = new SimConversation('c4a70000-0000-4000-8000-000000000002', startMs, 'chat', topics);
  const cust = c.add('customer', 0, { name: 'Customer', queueId: QUEUE_SUPPORT, address: 'tel:+15550003333' });
  c.connect(cust, 0);
  const agent = c.add('agent', 2, { userId: LONG_USER.id, queueId: QUEUE_SUPPORT });
  c.emit(2);
  c.connect(agent, 4);
  c.emit(4);
  c.say(cust, 6, LONG_TEXT);
  c.emit(6);
  c.hangUp(agent, cust, 20);
  return c;
}

function truncatedCount(metrics: string, field: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`bridge_input_truncated_total{adapter="genesys",field="${field}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('live: long Genesys strings are capped before Agent AI', () => {
  it('a long utterance, a long digital message and long agent names reach Agent AI cut with a marker, and are counted', async () => {
    rig = await startRig(SPEED);
    rig.sim.org.addUser(LONG_USER);
    const now = Date.now();
    const call = longCall(now);
    const chat = longChat(now);
    const steps = [...call.steps, ...chat.steps].sort((a, b) => a.offsetMs - b.offsetMs);
    await new ScriptPlayer(rig.sim).play({ name: 'long-strings', startMs: now, steps }, { speed: SPEED });
    await waitForEnds(rig.h, [call.id, chat.id]);

    const cut = `${LONG_TEXT.slice(0, LIMITS.text - TEXT_MARKER.length)}${TEXT_MARKER}`;
    const query = (id: string): unknown => rig!.h.fake.accepted(id).find((c) => c.label.startsWith('message'))?.body;
    expect(query(call.id)).toMatchObject({ query: cut, author: { type: 'USER' } });
    expect(query(chat.id)).toMatchObject({ query: cut, author: { type: 'USER' } });

    const participant = (id: string): unknown => (rig!.h.fake.accepted(id).find((c) => c.label.startsWith('NA entry'))?.body as { events: [{ participant: unknown }] }).events[0].participant;
    expect(participant(call.id)).toMatchObject({ identity: USERS.alice.id, name: `${LONG_NAME.slice(0, LIMITS.name - 1)}${NAME_MARKER}` });
    expect(participant(chat.id)).toMatchObject({
      identity: LONG_USER.id,
      name: `${LONG_USER.name.slice(0, LIMITS.name - 1)}${NAME_MARKER}`,
      customFields: { agentEmail: `${LONG_USER.email.slice(0, LIMITS.name - 1)}${NAME_MARKER}` },
    });
    // The fake receiver validates every call against the documented shapes: the capped ones pass.
    expect(rig.h.fake.violations()).toEqual([]);

    const metrics = await rig.h.bridge.metrics.registry.metrics();
    expect(truncatedCount(metrics, 'text')).toBeGreaterThanOrEqual(2);
    expect(truncatedCount(metrics, 'agentName')).toBeGreaterThanOrEqual(2);
    expect(truncatedCount(metrics, 'agentEmail')).toBeGreaterThanOrEqual(1);
    expect(logEvents(rig.h, 'hook.truncated').map((l) => l.conversationId)).toContain(call.id);
    expect(logEvents(rig.h, 'genesys.truncated').map((l) => l.conversationId)).toContain(chat.id);
    // Customer text never reaches the log, cut or not.
    expect(rig.h.logs.lines.some((l) => l.includes('Spoken words Spoken'))).toBe(false);
  }, 30_000);
});
