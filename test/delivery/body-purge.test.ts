// BRIDGE_PURGE_DELIVERED_BODIES: a call's text leaves the store once Agent AI has accepted it, and only then.
// Whatever may still go out (a call being retried, a dead letter an operator retries) keeps its body and is
// sent exactly as queued.
import { describe, expect, it } from 'vitest';
import { PURGED_BODY } from '../../src/store/types.js';
import { DOWN, queue, startRig } from './rig.js';

const REJECTED = { kind: 'permanent', status: 400, error: 'HTTP 400: bad request' } as const;

describe('purging delivered bodies', () => {
  it('is on by default: a delivered call keeps its metadata and loses its body; a call being retried keeps its body until it is delivered', async () => {
    const rig = startRig();
    const { clock, host, store } = rig;
    let failures = 2;
    host.answer = (call) => (call.label === 'message USER' && failures-- > 0 ? DOWN : { kind: 'ok', status: 200 });
    await queue(store, 'c1', ['NA entry A', 'message USER']);
    await rig.dispatcher.start();
    await clock.settle();
    const [entry, message] = await store.outboxFor('c1');
    expect(entry).toMatchObject({ status: 'done', label: 'NA entry A', kind: 'transfer', lastStatus: 200, bodyJson: PURGED_BODY });
    expect(message?.status).toBe('pending');
    expect(JSON.parse(message!.bodyJson)).toEqual({ conversationId: 'c1', label: 'message USER', seq: 1 });
    await clock.advance(60_000);
    expect(host.accepted('c1')).toEqual(['NA entry A', 'message USER']);
    expect((await store.outboxFor('c1')).map((r) => [r.status, r.bodyJson])).toEqual([
      ['done', PURGED_BODY],
      ['done', PURGED_BODY],
    ]);
  });

  it('leaves a dead letter its body, so `dead-letters retry` sends it as it was queued', async () => {
    const rig = startRig();
    const { clock, host, store } = rig;
    host.answer = () => REJECTED;
    await queue(store, 'c1', ['NA entry A']);
    await rig.dispatcher.start();
    await clock.settle();
    const [dead] = await store.deadLetters();
    expect(JSON.parse(dead!.bodyJson)).toEqual({ conversationId: 'c1', label: 'NA entry A', seq: 0 });
    host.answer = () => ({ kind: 'ok', status: 200 });
    await store.retryDead('all', clock.now());
    await rig.dispatcher.sweep();
    await clock.settle();
    expect(host.accepted('c1')).toEqual(['NA entry A']);
    expect((await store.outboxFor('c1'))[0]).toMatchObject({ status: 'done', bodyJson: PURGED_BODY });
  });

  it('keeps delivered bodies until the retention purge when switched off', async () => {
    const rig = startRig({ purgeDeliveredBodies: false });
    await queue(rig.store, 'c1', ['NA entry A']);
    await rig.dispatcher.start();
    await rig.clock.settle();
    const [row] = await rig.store.outboxFor('c1');
    expect(row?.status).toBe('done');
    expect(JSON.parse(row!.bodyJson)).toEqual({ conversationId: 'c1', label: 'NA entry A', seq: 0 });
  });
});
