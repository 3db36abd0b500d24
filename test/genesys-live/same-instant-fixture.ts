// A blind transfer seen only in one snapshot that already shows both sides at the same instant: Alice's leg
// disconnected (`transfer`) and Bob's connected, with equal times, as a REST body read after a gap would show
// it. Live and replay must order the two facts the same way (Alice's exit first: cold exit, cold entry).
// The file test/genesys-live/fixtures/blind-transfer-same-instant.jsonl is what `sameInstantLines()` builds.
import { VoiceConversation } from '../../src/sim/genesys/model/voice.js';
import { CUSTOMER_PHONE, QUEUE_SUPPORT, USERS } from '../fixtures/genesys/scenarios.js';
import { queueTopic } from '../../src/sim/genesys/model/topics.js';
import { Recorder, render } from '../fixtures/genesys/wire.js';

export const SAME_INSTANT_CONVERSATION = 'c0ffee00-0000-4000-8000-000000000a01';
export const SAME_INSTANT_FIXTURE = new URL('./fixtures/blind-transfer-same-instant.jsonl', import.meta.url);

export function sameInstantLines(): string[] {
  const rec = new Recorder(0xa01);
  const c = new VoiceConversation(SAME_INSTANT_CONVERSATION, Date.parse('2026-05-04T11:00:00.000Z'));
  const topic = queueTopic(QUEUE_SUPPORT);
  const cust = c.add(
    'customer',
    { id: 'same-customer', callId: 'same-customer-call', name: 'Jane Roe', queueId: QUEUE_SUPPORT, address: CUSTOMER_PHONE, self: { addressNormalized: CUSTOMER_PHONE }, other: { addressNormalized: 'tel:+18005550100' } },
    0.4,
    'offering',
  );
  c.connect(cust, 0.4);
  const alice = c.add('agent', { id: 'same-alice', callId: 'same-alice-call', name: USERS.alice.name, userId: USERS.alice.id, queueId: QUEUE_SUPPORT, other: { addressNormalized: CUSTOMER_PHONE } }, 5.0, 'alerting');
  rec.emit(topic, c.nested(), c.ms(5.0));
  c.connect(alice, 8.0);
  rec.emit(topic, c.nested(), c.ms(8.0));
  // The snapshot after the gap: Alice's blind transfer and Bob's answer happened at the same millisecond.
  c.disconnect(alice, 90.0, 'transfer');
  const bob = c.add('user', { id: 'same-bob', callId: 'same-bob-call', name: USERS.bob.name, userId: USERS.bob.id, other: { addressNormalized: CUSTOMER_PHONE } }, 90.0, 'alerting');
  c.connect(bob, 90.0);
  c.recentTransfers.push({ id: 'cmd-same-0001', state: 'complete', dateIssued: c.iso(89.9), initiator: { userId: USERS.alice.id }, destination: { userId: USERS.bob.id }, transferType: 'unattended' });
  rec.emit(topic, c.nested(), c.ms(90.0));
  c.disconnect(bob, 150.0, 'client');
  c.disconnect(cust, 150.3, 'peer');
  rec.emit(topic, c.nested(), c.ms(150.3));
  c.terminate(alice, 110.0);
  c.terminate(bob, 170.0);
  rec.emit(topic, c.nested(), c.ms(170.0));
  return render(rec.frames);
}
